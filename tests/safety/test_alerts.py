"""Exactly-once alerts: the sweep run twice, two sweeps at the same moment in two
processes, and a send that fails then succeeds -> one alert per stage and recipient, every attempt
logged."""
import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import time_machine

from edc import roles
from edc.models import Delivery, DeliveryAttempt, ExternalContact, Notification
from edc.services import notifications
from safety.models import ObligationAlert
from safety.services.obligations import sweep
from tests import factories
from tests.faults.smtp import SmtpServer
from tests.randomization.test_concurrency import database_url
from tests.safety.helpers import SHANGHAI, report_sae

ROOT = Path(__file__).resolve().parents[2]
AWARE = datetime(2025, 3, 1, 8, 0, tzinfo=SHANGHAI)


def setup_world(site, clinician):
    factories.strata_and_list()
    factories.external_contacts()  # sponsor + CRO
    ExternalContact.objects.create(name="EC", email="ec@example.org", organisation="ethics")
    pi = factories.make_user(roles.PRINCIPAL_INVESTIGATOR, site)
    with time_machine.travel(datetime(2025, 1, 10, 9, tzinfo=SHANGHAI), tick=False):
        p = factories.randomized_participant(site, clinician)
    with time_machine.travel(AWARE + timedelta(minutes=10), tick=False):
        ae = report_sae(p, clinician, AWARE)
    return pi, ae.sae


# At creation: 4 obligations × (PI + reporter) in-app/e-mail notices, plus the SAE notice e-mailed
# to the sponsor and CRO (sponsor obligation) and to the ethics committee (two ethics obligations).
EXPECTED_AT_CREATION = 4 * 2 + 2 + 1 + 1
# ... grouped into one alert per SAE and stage to each person: PI, reporter, sponsor, CRO, ethics
NOTICES_AT_CREATION = 5


@pytest.mark.django_db
def test_the_sweep_run_twice_sends_each_stage_once(site, clinician):
    pi, _case = setup_world(site, clinician)
    first = sweep(AWARE + timedelta(minutes=11))
    assert first == EXPECTED_AT_CREATION
    assert sweep(AWARE + timedelta(minutes=12)) == 0
    assert ObligationAlert.objects.count() == EXPECTED_AT_CREATION
    # 18 h later: the reminder for the three 24-hour obligations, to PI and reporter
    assert sweep(AWARE + timedelta(hours=18)) == 3 * 2
    # 24 h: due; 48 h: one overdue day; a second sweep in the same day sends nothing more
    assert sweep(AWARE + timedelta(hours=24)) == 3 * 2
    assert sweep(AWARE + timedelta(hours=48)) == 3 * 2
    assert sweep(AWARE + timedelta(hours=50)) == 0
    stages = sorted(set(ObligationAlert.objects.values_list("stage", flat=True)))
    assert stages == ["created", "due", "overdue-1", "reminder"]
    # one notice per stage to each person, listing the obligations it concerns
    assert Notification.objects.filter(kind="sae").count() == NOTICES_AT_CREATION + 3 * 2
    pi_created = Notification.objects.get(kind="sae", recipient_user=pi, dedupe_key__contains=":created:")
    assert pi_created.obligation_alerts.count() == 4
    assert "4 obligations" in pi_created.subject
    for label in ("principal investigator within 24 h", "sponsor within 24 h", "ethics committee within 15 days"):
        assert label in pi_created.body
    ethics = Notification.objects.get(kind="sae", recipient_email="ec@example.org")
    assert ethics.obligation_alerts.count() == 2  # initial and full report, one e-mail


@pytest.mark.django_db
def test_a_met_obligation_stops_its_alerts(site, clinician):
    from safety.services.obligations import meet_obligation
    _, case = setup_world(site, clinician)
    sweep(AWARE + timedelta(minutes=11))
    ob = case.obligations.get(policy__code="pi_24h")
    with time_machine.travel(AWARE + timedelta(hours=1), tick=False):
        meet_obligation(ob, user=clinician, met_at=AWARE + timedelta(minutes=30), how="EDC", reference="")
    assert sweep(AWARE + timedelta(hours=18)) == 2 * 2  # sponsor and ethics-24h reminders only
    assert not ObligationAlert.objects.filter(obligation=ob, stage="reminder").exists()


@pytest.mark.django_db
def test_a_send_that_fails_then_succeeds_is_one_email_with_two_attempts(site, clinician, settings):
    setup_world(site, clinician)
    smtp = SmtpServer(mode="refuse").start()  # a real SMTP conversation: 421 at the greeting
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", smtp.port, 2
    try:
        sweep(AWARE + timedelta(minutes=11))
        sponsor_mail = Delivery.objects.get(notification__recipient_email="sponsor@example.org")
        assert notifications.send_email_delivery(sponsor_mail.pk) == "failed"
        smtp.mode = "accept"
        Delivery.objects.filter(pk=sponsor_mail.pk).update(next_attempt_at=AWARE)
        assert notifications.send_email_delivery(sponsor_mail.pk) == "sent"
        assert notifications.send_email_delivery(sponsor_mail.pk) == "skipped"
    finally:
        smtp.stop()
    sponsor_mail.refresh_from_db()
    assert smtp.ids_by_rcpt() == {"sponsor@example.org": [sponsor_mail.message_id]}
    assert list(DeliveryAttempt.objects.filter(delivery=sponsor_mail).values_list("succeeded", flat=True)) == [
        False, True]
    assert "421" in DeliveryAttempt.objects.filter(succeeded=False).get().error


SWEEPER = """
import os, sys, time, json
sys.path.insert(0, {root!r})
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edc.settings")
import django; django.setup()
from datetime import datetime
from safety.services.obligations import sweep
start = {start}
time.sleep(max(0, start - time.time()))
print(json.dumps(sweep(datetime.fromisoformat({now!r}))))
"""


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_the_same_moment_in_two_processes(site, clinician):
    import time
    setup_world(site, clinician)
    env = dict(os.environ, DATABASE_URL=database_url(), DJANGO_SETTINGS_MODULE="edc.settings")
    code = SWEEPER.format(root=str(ROOT), start=time.time() + 3,
                          now=(AWARE + timedelta(hours=48)).isoformat())
    procs = [subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    counts = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        counts.append(json.loads(out.strip().splitlines()[-1]))
    expected = EXPECTED_AT_CREATION + 3 * 3 * 2  # created + reminder/due/overdue-1 of the 24-h ones
    assert sum(counts) == expected
    assert ObligationAlert.objects.count() == expected
    assert Notification.objects.filter(kind="sae").count() == NOTICES_AT_CREATION + 3 * 2


@pytest.mark.django_db
def test_a_pi_who_joins_the_site_later_gets_the_stages_already_reached(site, clinician):
    """The sweep first looks only at ids and keys (10,000 open obligations in under a
    second); a recipient added since the last sweep must still be found missing and alerted."""
    setup_world(site, clinician)
    sweep(AWARE + timedelta(minutes=11))
    assert sweep(AWARE + timedelta(minutes=12)) == 0
    newcomer = factories.make_user(roles.PRINCIPAL_INVESTIGATOR, site)
    assert sweep(AWARE + timedelta(minutes=13)) == 4  # "created" of each of the four obligations
    assert ObligationAlert.objects.filter(recipient=f"user:{newcomer.pk}", stage="created").count() == 4
    assert sweep(AWARE + timedelta(minutes=14)) == 0


@pytest.mark.django_db
def test_a_quiet_sweep_reads_a_fixed_number_of_queries(site, clinician, django_assert_max_num_queries):
    setup_world(site, clinician)
    sweep(AWARE + timedelta(minutes=11))
    with django_assert_max_num_queries(5):  # open obligations, their alerts, PIs and their sites, contacts
        assert sweep(AWARE + timedelta(minutes=12)) == 0
