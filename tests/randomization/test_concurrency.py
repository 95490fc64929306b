"""Exactly-once randomization under concurrency: 50+ simultaneous randomizations in
one stratum from threads and from separate processes -> distinct rows, taken in sequence order,
none twice, no participant twice."""
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection, connections

from randomization.models import AllocationRow, Randomization
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]
N = 56


def enrolled_many(site, clinician, n):
    return [factories.enrolled_participant(site, clinician) for _ in range(n)]


def assert_exactly_once(expected: int):
    used = list(AllocationRow.objects.filter(used_at__isnull=False, stratum__code="s1")
                .order_by("sequence").values_list("sequence", flat=True))
    assert used == list(range(1, expected + 1)), "rows taken in sequence order, none skipped"
    assert Randomization.objects.count() == expected
    assert Randomization.objects.values("row").distinct().count() == expected
    assert Randomization.objects.values("participant").distinct().count() == expected
    # allocation order follows the sequence: a later randomization never has a lower sequence
    order = list(Randomization.objects.order_by("randomized_at", "row__sequence")
                 .values_list("row__sequence", flat=True))
    assert order == sorted(order)


def test_threads_randomize_each_participant_once(site, clinician):
    factories.strata_and_list(seed=5, capacity=N + 4)
    people = enrolled_many(site, clinician, N)
    barrier = threading.Barrier(N)
    errors = []

    def work(p):
        try:
            barrier.wait()
            from randomization.services.randomize import randomize
            randomize(p, user=clinician)
        except Exception as e:
            errors.append(repr(e))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert_exactly_once(N)


def test_threads_randomizing_the_same_participant_give_one_allocation(site, clinician):
    factories.strata_and_list(seed=6)
    p = factories.enrolled_participant(site, clinician)
    barrier = threading.Barrier(20)
    outcomes = []

    def work():
        try:
            barrier.wait()
            from randomization.services.randomize import randomize
            randomize(p, user=clinician)
            outcomes.append("ok")
        except Exception as e:
            outcomes.append(type(e).__name__)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 1 and outcomes.count("ValidationError") == 19
    assert_exactly_once(1)


def database_url() -> str:
    s = connection.settings_dict
    host = quote(s["HOST"] or "", safe="")
    port = f":{s['PORT']}" if s.get("PORT") else ""
    auth = quote(s["USER"]) + (f":{quote(s['PASSWORD'])}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{host}{port}/{s['NAME']}"


def test_separate_processes_randomize_each_participant_once(site, clinician):
    factories.strata_and_list(seed=9, capacity=N + 4)
    people = [str(p.pk) for p in enrolled_many(site, clinician, N)]
    env = dict(os.environ, DATABASE_URL=database_url(), DJANGO_SETTINGS_MODULE="edc.settings")
    start_at = time.time() + 4.0
    workers, per = 8, N // 8
    procs = [subprocess.Popen(
        [sys.executable, str(ROOT / "tests/randomization/concurrent_worker.py"), str(start_at),
         str(clinician.pk), *people[i * per:(i + 1) * per]],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for i in range(workers)]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        results += [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert [r for r in results if "error" in r] == []
    assert len(results) == N and len({r["row"] for r in results}) == N
    assert_exactly_once(N)
