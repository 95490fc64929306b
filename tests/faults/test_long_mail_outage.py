"""Twelve hours without mail, on a fast-forwarded clock (docs/SAFETY_ALERTS.md, "When mail is down").

The old rule gave an e-mail up after 10 failures (about 5 hours). Now an SAE alert is retried for as
long as an obligation it concerns is open, with the backoff capped at 20 minutes; after 3 failures
the PI and the data manager are told in-app, the dashboard shows a banner and health fails; when the
server answers again every outstanding alert goes out once. The sweeps are called as beat calls
them (the services, minute by minute); the SMTP server is a real one on a local port."""
from collections import Counter
from datetime import datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse

from edc import roles
from edc.models import Delivery, Notification
from edc.services import notifications
from safety.services import undelivered
from safety.services.alerts import sweep
from tests import factories
from tests.faults.smtp import SmtpServer
from tests.safety.helpers import SHANGHAI, report_sae

pytestmark = pytest.mark.django_db
START = datetime(2025, 3, 1, 20, 0, tzinfo=SHANGHAI)  # a Saturday evening


def beat_minute() -> None:
    """What beat runs every minute: the SAE sweep (+ escalation) and the e-mail retries."""
    sweep()
    undelivered.escalate()
    for pk in notifications.due_email_deliveries():
        notifications.send_email_delivery(pk)


def test_a_night_without_mail_loses_nothing_and_sends_each_alert_once(site, clinician, settings, client_for):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    smtp = SmtpServer().start()
    smtp.stop()  # the mail server is down: connection refused
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", smtp.port, 2
    factories.strata_and_list()
    factories.external_contacts()
    pi = factories.make_user(roles.PRINCIPAL_INVESTIGATOR, site)
    dm = factories.make_user(roles.DATA_MANAGER, site)
    with time_machine.travel(START - timedelta(days=40), tick=False):
        p = factories.randomized_participant(site, clinician)
    with time_machine.travel(START, tick=False) as clock:
        report_sae(p, clinician, START - timedelta(minutes=10))
        for _step in range(12 * 60 // 5):  # twelve hours; between these beats nothing falls due
            beat_minute()
            clock.shift(timedelta(minutes=5))
        emails = Delivery.objects.filter(channel="email", notification__kind="sae")
        # nothing abandoned: far more failures than the old limit of 10, none given up
        assert not emails.filter(status="gave_up").exists()
        assert min(emails.values_list("attempts", flat=True)) > 10
        # the gaps between attempts never exceed the cap (20 min) + one beat
        assert max(emails.values_list("attempts", flat=True)) <= 12 * 60 // 20 + 12
        # escalated once, in-app only, to the PI and the data manager
        told = Notification.objects.filter(kind="mail-undelivered")
        assert set(told.values_list("recipient_user", flat=True)) == {pi.pk, dm.pk}
        assert not Delivery.objects.filter(notification__in=told, channel="email").exists()
        page = client_for(pi).get(reverse("safety_dashboard"))
        assert b'id="undelivered"' in page.content and b"not delivered since" in page.content
        out = StringIO()
        with pytest.raises(CommandError):
            call_command("health", stdout=out)
        assert "FAIL sae-alerts: 4 SAE alert e-mail(s) not delivered since" in out.getvalue()
        # mail comes back: everything outstanding goes out, once each
        smtp.start()
        back = datetime.now(tz=SHANGHAI)
        minutes = 0
        while emails.exclude(status="sent").exists():
            beat_minute()
            clock.shift(timedelta(minutes=1))
            minutes += 1
            assert minutes <= 21, "everything outstanding goes out within the backoff cap"
        delivered = max(emails.values_list("sent_at", flat=True))
    smtp.stop()
    received = Counter((m.rcpt, m.message_id) for m in smtp.messages)
    assert set(received.values()) == {1}
    assert sorted(received) == sorted(emails.values_list("notification__recipient_email", "message_id"))
    print(f"\n[fault figures] 12 h outage: {emails.count()} alerts delivered, 0 lost, 0 repeated; "
          f"{minutes} simulated minute(s) from recovery to the last delivery "
          f"({(delivered - back).total_seconds() / 60:.0f} min); attempts per alert "
          f"{min(emails.values_list('attempts', flat=True))}-{max(emails.values_list('attempts', flat=True))}")
