"""Emergency unblinding (protocol 2.8): reason and password, arm to the requester only, sponsor and
CRO notified at once (Celery after commit), every delivery recorded, a PDF for the source documents."""
import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from edc.models import Delivery, DeliveryAttempt, Notification
from edc.services import notifications
from randomization.models import EmergencyUnblinding
from tests import factories
from tests.faults.smtp import SmtpServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def randomized(site, clinician):
    factories.strata_and_list()
    factories.external_contacts()
    return factories.randomized_participant(site, clinician)


def unblind(p, user, **kw):
    from randomization.services.unblinding import emergency_unblind
    values = {"reason": "Severe anaphylaxis; ICU team needs the allocation", "password": factories.PASSWORD}
    values.update(kw)
    return emergency_unblind(p, user=user, **values)


def test_it_needs_a_reason(randomized, clinician):
    with pytest.raises(ValidationError) as e:
        unblind(randomized, clinician, reason="  ")
    assert "reason" in e.value.message_dict
    assert EmergencyUnblinding.objects.count() == 0 and Notification.objects.count() == 0


def test_it_needs_the_right_password(randomized, clinician):
    with pytest.raises(ValidationError) as e:
        unblind(randomized, clinician, password="guess-guess-guess")
    assert "not correct" in str(e.value.message_dict["password"])
    assert EmergencyUnblinding.objects.count() == 0 and EmergencyUnblinding.history.count() == 0


def test_it_refuses_a_participant_who_is_not_randomized(site, clinician):
    p = factories.enrolled_participant(site, clinician)
    with pytest.raises(ValidationError, match="not been randomized"):
        unblind(p, clinician)
    assert EmergencyUnblinding.objects.count() == 0


def test_it_marks_the_participant_for_good_and_refuses_a_second_time(randomized, clinician):
    record = unblind(randomized, clinician)
    assert record.requested_by == clinician and record.history.get().history_user == clinician
    with pytest.raises(ValidationError, match="already unblinded"):
        unblind(randomized, clinician)
    assert EmergencyUnblinding.objects.count() == 1


def test_sponsor_and_cro_are_emailed_after_commit_and_each_delivery_is_recorded(
        randomized, clinician, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        unblind(randomized, clinician)
    emails = Delivery.objects.filter(channel="email")
    assert {d.notification.recipient_email for d in emails} == {"sponsor@example.org", "cro@example.org"}
    assert len(mail.outbox) == 0 and len(callbacks) == 2  # nothing sent before the commit
    for d in emails:  # what the Celery worker does for each queued id
        notifications.send_email_delivery(d.pk)
    assert sorted(m.to[0] for m in mail.outbox) == ["cro@example.org", "sponsor@example.org"]
    assert set(Delivery.objects.filter(channel="email").values_list("status", flat=True)) == {"sent"}
    assert DeliveryAttempt.objects.filter(succeeded=True).count() == 2
    # a second send of the same delivery does nothing: exactly once
    for d in emails:
        assert notifications.send_email_delivery(d.pk) == "skipped"
    assert len(mail.outbox) == 2


def test_a_failed_send_is_recorded_and_retried(randomized, clinician, settings):
    unblind(randomized, clinician)
    d = Delivery.objects.filter(channel="email").first()
    smtp = SmtpServer().start()
    smtp.stop()  # nothing listens on its port: connection refused
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", smtp.port, 2
    assert notifications.send_email_delivery(d.pk) == "failed"
    d.refresh_from_db()
    assert d.attempts == 1 and "ConnectionRefusedError" in d.last_error
    smtp.start()
    Delivery.objects.filter(pk=d.pk).update(next_attempt_at=d.next_attempt_at.replace(year=2000))
    assert d.pk in notifications.due_email_deliveries()
    try:
        assert notifications.send_email_delivery(d.pk) == "sent"
    finally:
        smtp.stop()
    assert [m.message_id for m in smtp.messages] == [d.message_id]
    d.refresh_from_db()
    assert d.status == "sent" and d.attempts == 2
    assert [a.succeeded for a in d.attempt_log.all()] == [False, True]


def test_the_browser_flow_reveals_the_arm_to_the_requester(randomized, clinician, client_for):
    c = client_for(clinician)
    r = c.post(reverse("unblind", args=[randomized.pk]),
               {"reason": "Severe anaphylaxis needing the allocation", "password": factories.PASSWORD},
               follow=True)
    assert r.status_code == 200
    assert str(randomized.randomization.row.get_arm_display()).encode() in r.content


def test_the_form_shows_a_wrong_password_and_saves_nothing(randomized, clinician, client_for):
    r = client_for(clinician).post(reverse("unblind", args=[randomized.pk]),
                                   {"reason": "Severe anaphylaxis needing the allocation",
                                    "password": "wrong-wrong-wrong"})
    assert r.status_code == 200 and b"password is not correct" in r.content
    assert EmergencyUnblinding.objects.count() == 0


def test_the_record_pdf_is_served(randomized, clinician, client_for):
    unblind(randomized, clinician)
    r = client_for(clinician).get(reverse("unblinding_record", args=[randomized.pk]))
    assert r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")


def test_the_notice_is_written_in_each_recipients_language(randomized, clinician, site):
    from edc import roles
    from edc.models import ExternalContact

    pi = factories.make_user(roles.PRINCIPAL_INVESTIGATOR, site)
    pi.language = "zh-hans"
    pi.save(update_fields=["language"])
    ExternalContact.objects.filter(organisation="sponsor").update(language="en")
    unblind(randomized, clinician)
    to_pi = Notification.objects.get(kind="unblinding", recipient_user=pi)
    assert to_pi.subject == f"[EDC] 紧急揭盲 {randomized.participant_code}" and "原因：" in to_pi.body
    to_sponsor = Notification.objects.get(kind="unblinding", recipient_email="sponsor@example.org")
    assert to_sponsor.subject.startswith("[EDC] Emergency unblinding") and "Reason:" in to_sponsor.body
    for n in (to_pi, to_sponsor):
        assert randomized.randomization.blind_code in n.body and "arm" not in n.body.lower()
