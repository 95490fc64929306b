"""Emergency unblinding (protocol 2.8.2): the code-break permission is a central grant; the break needs
reason, password and the authenticator code, one participant of the requester's own site; the arm goes
to the requester or only to a named third party by e-mail; sponsor and CRO notified at once (Celery
after commit), every delivery recorded; a request by an investigator without the grant alerts the PI."""
import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from edc import roles
from edc.models import Delivery, DeliveryAttempt, Notification
from edc.services import notifications
from randomization.blinding import may_see_arm
from randomization.models import ArmDisclosure, EmergencyUnblinding, UnblindingRequest
from tests import factories
from tests.faults.smtp import SmtpServer
from tests.fuzz.db import NOT_DATA, changed_tables, table_counts

pytestmark = pytest.mark.django_db
REASON = "Severe anaphylaxis; ICU team needs the allocation"


@pytest.fixture
def randomized(site, clinician):
    factories.strata_and_list()
    factories.external_contacts()
    return factories.randomized_participant(site, clinician)


@pytest.fixture
def holder(site):
    """The PI, holding the code-break permission and an authenticator."""
    pi = factories.grant_code_break(factories.make_user(roles.PRINCIPAL_INVESTIGATOR, site))
    factories.authenticator(pi)
    return pi


def unblind(p, user, **kw):
    from randomization.services.unblinding import emergency_unblind
    values = {"reason": REASON, "password": factories.PASSWORD}
    values.update(kw)
    if "code" not in values:
        values["code"] = factories.totp_code(factories.authenticator(user))
    return emergency_unblind(p, user=user, **values)


def send_all():
    """What the Celery worker does for each queued e-mail delivery."""
    for pk in Delivery.objects.filter(channel="email").values_list("pk", flat=True):
        notifications.send_email_delivery(pk)


def nothing_changed():
    return (EmergencyUnblinding.objects.count(), EmergencyUnblinding.history.count(),
            Notification.objects.count(), ArmDisclosure.objects.count()) == (0, 0, 0, 0)


# --- bad input: a clear message, nothing changed ---

def test_it_refuses_an_investigator_without_the_code_break_grant(randomized, clinician):
    factories.authenticator(clinician)
    with pytest.raises(PermissionDenied, match="do not hold the code-break permission"):
        unblind(randomized, clinician)
    assert nothing_changed()


def test_the_pi_role_alone_does_not_hold_the_grant(randomized, site):
    pi = factories.make_user(roles.PRINCIPAL_INVESTIGATOR, site)
    with pytest.raises(PermissionDenied, match="code-break permission"):
        unblind(randomized, pi)
    assert nothing_changed()


def test_it_needs_a_reason(randomized, holder):
    with pytest.raises(ValidationError) as e:
        unblind(randomized, holder, reason="  ")
    assert "reason" in e.value.message_dict
    assert nothing_changed()


def test_it_needs_the_right_password(randomized, holder):
    with pytest.raises(ValidationError) as e:
        unblind(randomized, holder, password="guess-guess-guess")
    assert "not correct" in str(e.value.message_dict["password"])
    assert nothing_changed()


def test_it_needs_the_second_factor(randomized, holder):
    with pytest.raises(ValidationError) as e:
        unblind(randomized, holder, code="")
    assert "6-digit code" in str(e.value.message_dict["code"])
    assert nothing_changed()


def test_it_refuses_a_wrong_code(randomized, holder):
    right = factories.totp_code(factories.authenticator(holder))
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    with pytest.raises(ValidationError) as e:
        unblind(randomized, holder, code=wrong)
    assert "not right" in str(e.value.message_dict["code"])
    assert nothing_changed()


def test_a_holder_without_an_authenticator_is_refused(randomized, site):
    pi = factories.grant_code_break(factories.make_user(roles.PRINCIPAL_INVESTIGATOR, site))
    from randomization.services.unblinding import emergency_unblind
    with pytest.raises(ValidationError, match="no authenticator"):
        emergency_unblind(randomized, user=pi, reason=REASON, password=factories.PASSWORD, code="123456")
    assert nothing_changed()


def test_it_refuses_another_sites_participant(randomized, other_site):
    other_pi = factories.grant_code_break(factories.make_user(roles.PRINCIPAL_INVESTIGATOR, other_site))
    with pytest.raises(PermissionDenied, match="do not work at this site"):
        unblind(randomized, other_pi)
    assert nothing_changed()


def test_a_third_party_needs_a_name_and_a_valid_address(randomized, holder):
    with pytest.raises(ValidationError) as e:
        unblind(randomized, holder, reveal_to_email="not-an-address")
    assert set(e.value.message_dict) == {"reveal_to_email", "reveal_to_name"}
    assert nothing_changed()


def test_it_refuses_a_participant_who_is_not_randomized(site, clinician, holder):
    p = factories.enrolled_participant(site, clinician)
    with pytest.raises(ValidationError, match="not been randomized"):
        unblind(p, holder)
    assert EmergencyUnblinding.objects.count() == 0


# --- the code break ---

def test_it_marks_the_participant_for_good_and_refuses_a_second_time(randomized, holder):
    record = unblind(randomized, holder)
    assert record.requested_by == holder and record.history.get().history_user == holder
    assert may_see_arm(holder, randomized)
    with pytest.raises(ValidationError, match="already unblinded"):
        unblind(randomized, holder)
    assert EmergencyUnblinding.objects.count() == 1


def test_a_third_party_reveal_leaves_the_requester_blinded(randomized, holder, client_for):
    record = unblind(randomized, holder, reveal_to_name="Dr Liu (ICU)", reveal_to_email="liu@icu.example.org")
    send_all()
    with translation.override(settings.LANGUAGE_CODE):  # not a user: the trial's default language
        arm = str(randomized.randomization.row.get_arm_display())
        subject = gettext("[EDC] Emergency unblinding %(participant)s: allocation for the treating physician") % {
            "participant": randomized.participant_code}
    assert not may_see_arm(holder, randomized)
    to_physician = [m for m in mail.outbox if m.to == ["liu@icu.example.org"]]
    assert len(to_physician) == 1 and to_physician[0].subject == subject and arm in to_physician[0].body
    for m in mail.outbox:
        if m.to != ["liu@icu.example.org"]:
            assert arm not in m.body and arm not in m.subject  # sponsor, CRO, PI: never the arm
    assert not Notification.objects.filter(recipient_user=holder, kind="unblinding_reveal").exists()
    c = client_for(holder)
    for url in (reverse("unblinding_result", args=[randomized.pk]),
                reverse("participant_detail", args=[randomized.pk])):
        page = c.get(url)
        assert page.status_code == 200 and arm.encode() not in page.content
    assert b"Dr Liu (ICU)" in c.get(reverse("unblinding_result", args=[randomized.pk])).content
    assert ArmDisclosure.objects.count() == 0 and record.reveal_to_email


def test_every_view_of_the_revealed_arm_is_logged(randomized, holder, client_for):
    unblind(randomized, holder)
    c = client_for(holder)
    c.get(reverse("unblinding_result", args=[randomized.pk]))
    c.get(reverse("unblinding_record", args=[randomized.pk]))
    c.get(reverse("participant_detail", args=[randomized.pk]))
    seen = list(ArmDisclosure.objects.filter(user=holder, participant=randomized).values_list("where", flat=True))
    assert sorted(seen) == ["participant page", "unblinding record PDF", "unblinding record page"]


def test_sponsor_and_cro_are_emailed_after_commit_and_each_delivery_is_recorded(
        randomized, holder, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        unblind(randomized, holder)
    emails = Delivery.objects.filter(channel="email", notification__recipient_user=None)
    assert {d.notification.recipient_email for d in emails} == {"sponsor@example.org", "cro@example.org"}
    assert len(mail.outbox) == 0 and len(callbacks) == 3  # sponsor, CRO and the PI's e-mail copy
    for d in emails:  # what the Celery worker does for each queued id
        notifications.send_email_delivery(d.pk)
    assert sorted(m.to[0] for m in mail.outbox) == ["cro@example.org", "sponsor@example.org"]
    assert set(emails.values_list("status", flat=True)) == {"sent"}
    assert DeliveryAttempt.objects.filter(succeeded=True).count() == 2
    for d in emails:  # a second send of the same delivery does nothing: exactly once
        assert notifications.send_email_delivery(d.pk) == "skipped"
    assert len(mail.outbox) == 2


def test_a_failed_send_is_recorded_and_retried(randomized, holder, settings):
    unblind(randomized, holder)
    d = Delivery.objects.filter(channel="email", notification__recipient_user=None).first()
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


# --- the pages ---

def test_the_browser_flow_reveals_the_arm_to_the_requester(randomized, holder, client_for):
    c = client_for(holder)
    r = c.post(reverse("unblind", args=[randomized.pk]),
               {"reason": REASON, "password": factories.PASSWORD,
                "code": factories.totp_code(factories.authenticator(holder))}, follow=True)
    assert r.status_code == 200
    assert str(randomized.randomization.row.get_arm_display()).encode() in r.content


def test_the_form_shows_a_wrong_password_and_saves_nothing(randomized, holder, client_for):
    r = client_for(holder).post(reverse("unblind", args=[randomized.pk]),
                                {"reason": REASON, "password": "wrong-wrong-wrong", "code": "123456"})
    assert r.status_code == 200 and b"password is not correct" in r.content
    assert nothing_changed()


def test_the_form_refuses_a_missing_code(randomized, holder, client_for):
    r = client_for(holder).post(reverse("unblind", args=[randomized.pk]),
                                {"reason": REASON, "password": factories.PASSWORD})
    assert r.status_code == 200 and b"This field is required" in r.content
    assert nothing_changed()


def test_a_crafted_post_without_the_grant_is_refused(randomized, clinician, client_for):
    c = client_for(clinician)
    before = table_counts()
    page = c.get(reverse("unblind", args=[randomized.pk]))
    assert b"do not hold the code-break permission" in page.content and b'name="password"' not in page.content
    r = c.post(reverse("unblind", args=[randomized.pk]),
               {"reason": REASON, "password": factories.PASSWORD, "code": "123456"})
    assert r.status_code == 403 and b"do not hold the code-break permission" in r.content
    assert nothing_changed() and UnblindingRequest.objects.count() == 0
    assert {t: c for t, c in changed_tables(before, table_counts()).items() if t not in NOT_DATA} == {}


def test_another_sites_participant_answers_404(randomized, other_site, client_for):
    other_pi = factories.grant_code_break(factories.make_user(roles.PRINCIPAL_INVESTIGATOR, other_site))
    r = client_for(other_pi).post(reverse("unblind", args=[randomized.pk]),
                                  {"reason": REASON, "password": factories.PASSWORD, "code": "123456"})
    assert r.status_code == 404 and nothing_changed()


def test_the_record_pdf_is_served(randomized, holder, client_for):
    unblind(randomized, holder)
    r = client_for(holder).get(reverse("unblinding_record", args=[randomized.pk]))
    assert r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")


# --- the request by an investigator without the grant ---

def test_a_request_alerts_the_pi_and_holders_at_once(randomized, clinician, holder, client_for):
    c = client_for(clinician)
    url = reverse("unblinding_request", args=[randomized.pk])
    bad = c.post(url, {"reason": "short"})
    assert bad.status_code == 200 and b"at least 10 characters" in bad.content
    assert UnblindingRequest.objects.count() == 0 and Notification.objects.count() == 0
    r = c.post(url, {"reason": REASON, "treating_physician": "Dr Liu, ICU ext. 4411"})
    assert r.status_code == 302
    send_all()
    request = UnblindingRequest.objects.get()
    assert request.requested_by == clinician and request.history.get().history_user == clinician
    alert = Notification.objects.get(kind="unblinding_request")
    with translation.override(holder.language or settings.LANGUAGE_CODE):  # the recipient's language
        urgent = gettext("[EDC] URGENT: unblinding requested for %(participant)s") % {
            "participant": randomized.participant_code}
    assert alert.recipient_user == holder and alert.subject == urgent
    assert REASON in alert.body and randomized.randomization.blind_code in alert.body
    assert set(alert.deliveries.values_list("channel", flat=True)) == {"in_app", "email"}
    assert [m.to for m in mail.outbox] == [[holder.email]]
    assert EmergencyUnblinding.objects.count() == 0 and not may_see_arm(clinician, randomized)


def test_the_notice_is_written_in_each_recipients_language(randomized, holder, site):
    from edc.models import ExternalContact

    pi = factories.make_user(roles.PRINCIPAL_INVESTIGATOR, site)
    pi.language = "zh-hans"
    pi.save(update_fields=["language"])
    ExternalContact.objects.filter(organisation="sponsor").update(language="en")
    unblind(randomized, holder)
    to_pi = Notification.objects.get(kind="unblinding", recipient_user=pi)
    assert to_pi.subject == f"[EDC] 紧急揭盲 {randomized.participant_code}" and "原因：" in to_pi.body
    to_sponsor = Notification.objects.get(kind="unblinding", recipient_email="sponsor@example.org")
    assert to_sponsor.subject.startswith("[EDC] Emergency unblinding") and "Reason:" in to_sponsor.body
    for n in (to_pi, to_sponsor):
        assert randomized.randomization.blind_code in n.body and "arm" not in n.body.lower()


def test_the_request_is_written_in_each_recipients_language(randomized, clinician, holder, site):
    from randomization.services.unblinding import request_unblinding

    pi = factories.make_user(roles.PRINCIPAL_INVESTIGATOR, site)
    pi.language = "zh-hans"
    pi.save(update_fields=["language"])
    request_unblinding(randomized, user=clinician, reason=REASON, treating_physician="Dr Liu")
    to_pi = Notification.objects.get(kind="unblinding_request", recipient_user=pi)
    assert to_pi.subject == f"[EDC] 紧急：申请对 {randomized.participant_code} 揭盲"
    assert "主治医师：Dr Liu" in to_pi.body
    to_holder = Notification.objects.get(kind="unblinding_request", recipient_user=holder)
    assert to_holder.subject.startswith("[EDC] URGENT") and "Treating physician: Dr Liu" in to_holder.body
    for n in (to_pi, to_holder):
        assert randomized.randomization.blind_code in n.body and "arm" not in n.body.lower()
