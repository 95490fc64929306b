"""Alerts survive restarts: a real Redis and a real Celery worker (with beat); the
worker is killed and restarted, then Redis is stopped and restarted; every SAE alert e-mail still
goes out, none twice. The database is the source of truth; the queue only makes it fast."""
import time
from datetime import timedelta
from email import message_from_bytes
from pathlib import Path

import pytest
from django.utils import timezone

from edc import celery_app, roles
from edc.models import Delivery
from tests import factories
from tests.faults.workers import Services
from tests.safety.helpers import report_sae

pytestmark = pytest.mark.django_db(transaction=True)


PER_SAE = 4  # creation stage, one e-mail per person listing the 4 obligations: PI, reporter, sponsor, CRO


def wait_all_sent(saes: int, timeout=90):
    """Until the sweep (run by the worker) has created every e-mail of `saes` SAEs and sent it."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        emails = Delivery.objects.filter(channel="email")
        if emails.count() >= saes * PER_SAE and not emails.exclude(status="sent").exists():
            return
        time.sleep(0.5)
    raise AssertionError(f"e-mails still pending: {list(Delivery.objects.exclude(status='sent').values())}")


def sent_messages(folder: Path) -> list[tuple[str, str]]:
    out = []
    for f in folder.glob("*.log"):
        for chunk in f.read_bytes().split(b"-" * 79):
            if chunk.strip():
                m = message_from_bytes(chunk.strip())
                out.append((m["To"], m["Subject"]))
    return out


def test_alerts_survive_worker_and_redis_restarts(site, clinician, tmp_path):
    services = Services(tmp_path)
    old_broker = celery_app.conf.broker_url
    celery_app.conf.broker_url = services.url
    celery_app.pool.force_close_all() if hasattr(celery_app, "pool") else None
    try:
        services.start_redis()
        services.start_worker()
        factories.strata_and_list()
        factories.external_contacts()
        factories.make_user(roles.PRINCIPAL_INVESTIGATOR, site)
        people = [factories.randomized_participant(site, clinician) for _ in range(3)]
        aware = timezone.now() - timedelta(minutes=5)

        report_sae(people[0], clinician, aware)      # 1. normal operation
        wait_all_sent(1)

        services.kill_worker()                        # 2. the worker dies; an SAE arrives meanwhile
        report_sae(people[1], clinician, aware)
        services.start_worker()
        wait_all_sent(2)

        services.stop_redis()                         # 3. Redis dies; an SAE arrives meanwhile
        report_sae(people[2], clinician, aware)
        services.start_redis()
        wait_all_sent(3, timeout=120)

        messages = sent_messages(services.mail)
        deliveries = Delivery.objects.filter(channel="email").count()
        assert len(messages) == deliveries, "one e-mail per delivery"
        assert len(set(messages)) == len(messages), "no e-mail twice"
        # each SAE: one e-mail to the PI and the reporter listing the 4 obligations, sponsor + CRO once
        per_sae = {("sponsor@example.org" in to or "cro@example.org" in to) for to, _ in messages}
        assert per_sae == {True, False}
        assert deliveries == 3 * PER_SAE
        assert set(Delivery.objects.filter(channel="email").values_list("attempts", flat=True)) <= {1, 2}
    finally:
        services.close()
        celery_app.conf.broker_url = old_broker
