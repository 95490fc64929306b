"""`manage.py health`: the monitoring exit code fails on a missing or stale heartbeat and on e-mails
that fail or wait unsent; passes when all is well (docs/DEPLOYMENT.md, "Monitoring")."""
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from edc.models import Delivery, Notification
from edc.tasks import heartbeat

pytestmark = pytest.mark.django_db


def health(**options) -> tuple[bool, str]:
    out = StringIO()
    try:
        call_command("health", stdout=out, **options)
    except CommandError:
        return False, out.getvalue()
    return True, out.getvalue()


def email_delivery(**fields) -> Delivery:
    n = Notification.objects.create(kind="sae", dedupe_key=f"k{Notification.objects.count()}",
                                    recipient_email="pi@example.org", subject="SAE", body="...")
    return Delivery.objects.create(notification=n, channel=Delivery.Channel.EMAIL, **fields)


def test_it_passes_with_a_fresh_heartbeat_and_nothing_failing():
    heartbeat()
    ok, out = health()
    assert ok, out
    for name in ("database", "migrations", "redis", "heartbeat", "e-mail"):
        assert f"OK   {name}" in out


def test_it_fails_without_a_heartbeat():
    ok, out = health()
    assert not ok
    assert "FAIL heartbeat: none recorded" in out


def test_it_fails_on_a_stale_heartbeat():
    with time_machine.travel(timezone.now() - timedelta(minutes=10), tick=False):
        heartbeat()
    ok, out = health()
    assert not ok and "FAIL heartbeat" in out and "beat or every worker is down" in out
    assert health(max_heartbeat_age=3600)[0]


def test_it_fails_on_failing_and_given_up_emails():
    heartbeat()
    email_delivery(status=Delivery.Status.FAILED, attempts=3, last_error="SMTPConnectError: refused",
                   next_attempt_at=timezone.now() + timedelta(minutes=8))
    email_delivery(status=Delivery.Status.GAVE_UP, attempts=10, last_error="SMTPConnectError: refused",
                   next_attempt_at=timezone.now() - timedelta(hours=1))
    ok, out = health()
    assert not ok
    assert "FAIL e-mail: 2 failing (1 gave up); last error: SMTPConnectError" in out


def test_it_fails_on_an_email_due_long_ago_and_not_sent():
    heartbeat()
    email_delivery(next_attempt_at=timezone.now() - timedelta(minutes=30))
    ok, out = health()
    assert not ok and "1 due more than 10 min ago and not sent" in out
    email_delivery(status=Delivery.Status.SENT, next_attempt_at=timezone.now() - timedelta(hours=30))
    assert "FAIL e-mail: 1 due" in health()[1]  # a sent e-mail is not counted


def test_it_warns_when_connected_as_a_superuser():
    """The test database is reached as `postgres`, a superuser: health says so (without failing,
    `check --deploy` is the gate; tests/edc/test_database_role.py)."""
    heartbeat()
    ok, out = health()
    assert ok, out
    assert "WARN database-role: connected as postgres, a superuser" in out


def test_it_fails_when_a_clinical_row_is_changed_around_the_application(site, clinician):
    from django.db import connection

    from tests import factories

    heartbeat()
    p = factories.enrolled_participant(site, clinician)
    assert health()[0]
    with connection.cursor() as cursor:  # what a psql session could do: no history row written
        cursor.execute("UPDATE edc_participant SET initials = 'ZZ' WHERE id = %s", [p.pk])
    ok, out = health()
    assert not ok
    assert "FAIL history: 1 row(s) differ from their history" in out and str(p.pk) in out


def test_it_fails_while_sae_alert_emails_keep_failing(settings):
    heartbeat()
    settings.EDC_SAE_ESCALATE_AFTER_FAILURES = 3
    email_delivery(status=Delivery.Status.FAILED, attempts=2, next_attempt_at=timezone.now() + timedelta(minutes=4))
    assert "OK   sae-alerts" in health()[1]
    email_delivery(status=Delivery.Status.FAILED, attempts=3, last_error="SMTPConnectError: 421",
                   next_attempt_at=timezone.now() + timedelta(minutes=8))
    ok, out = health()
    assert not ok and "FAIL sae-alerts: 1 SAE alert e-mail(s) not delivered" in out
