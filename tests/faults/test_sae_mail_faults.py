"""SAE alert e-mails through faults, with real processes (docs/SAFETY_ALERTS.md, "Delivery guarantees"):
a Celery worker with its beat (subprocess), our own Redis, and a local SMTP server the test controls.

Each test asserts: 0 lost (every e-mail delivery sent, every recipient got its message), at most one
distinct Message-ID per (SAE, stage, recipient) at the receiver, and reports the time from due to
delivery after recovery (printed, not asserted: timings never decide a test here)."""
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from edc import roles
from edc.models import Delivery, Notification
from tests import factories
from tests.faults.smtp import SmtpServer
from tests.faults.workers import Services, use_broker, wait_for
from tests.safety.helpers import report_sae

pytestmark = pytest.mark.django_db(transaction=True)
PER_SAE = 4  # PI, reporter, sponsor, CRO: one e-mail each listing the SAE's 4 obligations


@pytest.fixture
def world(site, clinician, tmp_path):
    smtp = SmtpServer().start()
    services = Services(tmp_path, EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                        EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(smtp.port), EMAIL_TIMEOUT="1",
                        EDC_MAIL_CLAIM_MARGIN_SECONDS="1", EDC_MAIL_RETRY_BASE_SECONDS="0.5",
                        EDC_MAIL_RETRY_CAP_SECONDS="2", EDC_SAE_ESCALATE_AFTER_FAILURES="3")
    old_broker = use_broker(services.url)
    factories.strata_and_list()
    factories.external_contacts()
    pi = factories.make_user(roles.PRINCIPAL_INVESTIGATOR, site)
    dm = factories.make_user(roles.DATA_MANAGER, site)
    people = [factories.randomized_participant(site, clinician) for _ in range(3)]
    try:
        services.start_redis()
        yield services, smtp, people, pi, dm
    finally:
        services.close()
        smtp.stop()
        use_broker(old_broker)


def all_sent(saes: int) -> bool:
    emails = Delivery.objects.filter(channel="email", notification__kind="sae")
    return emails.count() >= saes * PER_SAE and not emails.exclude(status="sent").exists()


def assert_none_lost_none_doubled(smtp: SmtpServer, saes: int) -> Counter:
    """Every delivery sent and received; per (recipient, Message-ID) the copies received."""
    emails = Delivery.objects.filter(channel="email", notification__kind="sae").select_related("notification")
    assert emails.count() == saes * PER_SAE
    received = Counter((m.rcpt, m.message_id) for m in smtp.messages)
    for d in emails:
        assert d.status == "sent"
        assert received[(d.notification.recipient_email, d.message_id)] >= 1, f"lost: {d.notification}"
    # one Message-ID per (SAE, stage, recipient): the receivers saw no second, different message
    ids_per_key = Counter((d.notification.recipient_email, d.notification.dedupe_key) for d in emails)
    assert set(ids_per_key.values()) == {1}
    assert {mid for _rcpt, mid in received} <= {d.message_id for d in emails}
    return received


def report(name: str, due, delivered) -> None:
    print(f"\n[fault figures] {name}: due -> delivered after recovery {delivered - due:.1f} s")


def test_worker_killed_after_the_server_took_the_message(world, clinician):
    services, smtp, people, _pi, _dm = world
    services.start_worker()
    smtp.hold_250 = 30  # the server has the message; the worker waits for its 250
    report_sae(people[0], clinician, timezone.now() - timedelta(minutes=5))
    assert smtp.data_received.wait(60)
    services.kill_worker()  # killed between the server taking the message and the row saying "sent"
    killed_at = time.time()
    smtp.hold_250 = 0
    services.start_worker()
    wait_for(lambda: all_sent(1), 90, "every alert e-mail sent after the restart")
    received = assert_none_lost_none_doubled(smtp, 1)
    repeated = Delivery.objects.get(possible_repeat=True)
    assert received[(repeated.notification.recipient_email, repeated.message_id)] == 2  # same message twice
    log = list(repeated.attempt_log.values_list("succeeded", "possible_repeat", "error"))
    assert log[0][:2] == (False, False) and "worker lost" in log[0][2]
    assert log[1][:2] == (True, True)
    assert Delivery.objects.filter(possible_repeat=True).count() == 1
    report("worker kill mid-send", killed_at, max(m.at for m in smtp.messages))


def test_two_workers_each_with_its_beat_sweep_at_once(world, clinician):
    services, smtp, people, _pi, _dm = world
    services.start_worker("w1")
    services.start_worker("w2")
    start = time.time()
    for p in people:
        report_sae(p, clinician, timezone.now() - timedelta(minutes=5))
    wait_for(lambda: all_sent(3), 90, "every alert e-mail sent")
    received = assert_none_lost_none_doubled(smtp, 3)
    assert set(received.values()) == {1}  # no crash here: not even a repeat
    report("two sweeps at once", start, max(m.at for m in smtp.messages))


def test_redis_down_then_smtp_refusing_escalates_and_then_sends_each_once(world, clinician, pi, dm):
    services, smtp, people, _pi, _dm = world
    services.start_worker()
    services.stop_redis()  # the broker is gone when the SAE is reported: the task cannot be queued
    report_sae(people[0], clinician, timezone.now() - timedelta(minutes=5))
    smtp.mode = "refuse"  # and the mail server answers 421
    services.start_redis()
    wait_for(lambda: Notification.objects.filter(kind="mail-undelivered").count() >= 2, 90,
             "the PI and the data manager told in-app that alerts are not delivered")
    told = set(Notification.objects.filter(kind="mail-undelivered").values_list("recipient_user", flat=True))
    assert {pi.pk, dm.pk} <= told
    assert not Delivery.objects.filter(notification__kind="mail-undelivered", channel="email").exists()
    assert not Delivery.objects.filter(status="gave_up").exists()
    smtp.mode = "accept"
    back = time.time()
    wait_for(lambda: all_sent(1), 90, "everything outstanding sent once mail is back")
    received = assert_none_lost_none_doubled(smtp, 1)
    assert set(received.values()) == {1}
    assert min(Delivery.objects.filter(notification__kind="sae", channel="email")
               .values_list("attempts", flat=True)) >= 2
    report("Redis down + SMTP 421", back, max(m.at for m in smtp.messages))


@pytest.fixture
def pi(world):
    return world[3]


@pytest.fixture
def dm(world):
    return world[4]
