"""Load on a real gunicorn over loopback (tests/bench/README.md).

    python -m tests.bench.jobs.http_load crf       CRF saves vs /ping/: throughput, p50/p95, ratio
    python -m tests.bench.jobs.http_load randomize 200 concurrent randomizations of the pending participants
    python -m tests.bench.jobs.http_load lists     list pages (participants, worklist, queries) vs /ping/: p95

Clients are threads with keep-alive connections, each signed in with its own session (created
here as a sign-in would: django.contrib.auth session keys in the cached_db store the server reads)
and a CSRF cookie/field pair, so a POST goes through every middleware, the form, the edit checks
and the audited save exactly as a browser's would.
"""
import http.client
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from tests.bench.jobs import emit, percentile, setup

ROOT = Path(__file__).resolve().parents[3]
CLIENTS = 16
WARMUP, MEASURE = 3.0, 15.0
VISITS_PER_CLIENT = 25


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """gunicorn edc.wsgi with gthread workers: 2 per core, 4 threads each (16 requests at once)."""

    def __init__(self, log: Path):
        self.port = _free_port()
        self.workers = 2 * (os.cpu_count() or 1)
        self.threads = 4
        self.log = log
        cmd = [sys.executable, "-m", "gunicorn", "edc.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
               "--workers", str(self.workers), "--worker-class", "gthread", "--threads", str(self.threads),
               "--keep-alive", "30", "--log-level", "warning"]
        self.process = subprocess.Popen(cmd, cwd=ROOT, env=dict(os.environ), stdout=log.open("ab"),
                                        stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if self.request("GET", "/login/")[0] == 200:
                    return
            except OSError:
                time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"gunicorn did not start; see {log}")

    def request(self, method: str, path: str, body: str | None = None, headers: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            return r.status, r.read()
        finally:
            conn.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # gunicorn's arbiter stops its workers on SIGTERM
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()


def signed_in(user) -> dict:
    """Cookie and CSRF token of a fresh session for `user` (what the sign-in page would create)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cached_db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    token = secrets.token_hex(16)  # 32 characters: a valid CSRF secret, sent as cookie and field
    return {"cookie": f"sessionid={session.session_key}; csrftoken={token}", "csrf": token}


class Client(threading.Thread):
    """Sends `next_request()` until `stop_at`, recording (finished, seconds, status)."""

    def __init__(self, port: int, auth: dict, next_request, stop_at: float, start: threading.Barrier):
        super().__init__(daemon=True)
        self.port, self.auth, self.next_request = port, auth, next_request
        self.stop_at, self.start_line = stop_at, start
        self.results: list[tuple[float, float, int]] = []
        self.sample = b""

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        self.start_line.wait()
        while time.perf_counter() < self.stop_at:
            method, path, fields = self.next_request()
            headers = {"Cookie": self.auth["cookie"]}
            body = None
            if method == "POST":
                body = urlencode({**fields, "csrfmiddlewaretoken": self.auth["csrf"]})
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            started = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                content = response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                status, content = 0, b""
            finished = time.perf_counter()
            self.results.append((finished, finished - started, status))
            if status not in (200, 302) and not self.sample:
                self.sample = content[:2000]


def _run(port: int, clients: list[tuple[dict, object]], expected: int) -> dict:
    start = threading.Barrier(len(clients) + 1)
    stop_at = time.perf_counter() + 2.0 + WARMUP + MEASURE  # 2 s for the threads to connect
    threads = [Client(port, auth, next_request, stop_at, start) for auth, next_request in clients]
    for t in threads:
        t.start()
    start.wait()
    for t in threads:
        t.join()
    window = (stop_at - MEASURE, stop_at)  # after the warm-up
    done = [r for t in threads for r in t.results if window[0] <= r[0] <= window[1]]
    latencies = [r[1] * 1000 for r in done]
    wrong = [r for r in done if r[2] != expected]
    sample = next((t.sample for t in threads if t.sample), b"")
    return {"requests": len(done), "per_second": len(done) / MEASURE, "p50_ms": percentile(latencies, 50),
            "p95_ms": percentile(latencies, 95), "errors": len(wrong),
            "error_sample": sample.decode("utf-8", "replace")[:500]}


def crf_save_vs_ping(server: Gunicorn) -> dict:
    """16 coordinators, each at their own site, correct a vital-signs form (heart rate ±1 with a
    reason: the real page POST with edit checks, audit and history) on their participants' past
    visits in turn; then the same 16 sessions call /ping/."""
    from crf.models import VitalSigns
    from edc.models import User

    coordinators = list(User.objects.filter(username__endswith="-coordinator", groups__name="coordinator")
                        .prefetch_related("sites").order_by("username"))[:CLIENTS]
    clients_crf, clients_ping = [], []
    for user in coordinators:
        auth = signed_in(user)
        forms = list(VitalSigns.objects.filter(participant__site__in=user.sites.all(), visit__visit_date__isnull=False)
                     .order_by("participant_id", "visit__month").distinct("participant_id")[:VISITS_PER_CLIENT])
        clients_crf.append((auth, _vitals_posts(forms)))
        clients_ping.append((auth, lambda: ("GET", "/ping/", None)))
    ping = _run(server.port, clients_ping, expected=200)
    crf = _run(server.port, clients_crf, expected=302)
    return {"clients": len(coordinators), "workers": server.workers, "threads": server.threads, "ping": ping,
            "crf_save": crf, "ratio": crf["per_second"] / ping["per_second"] if ping["per_second"] else 0.0}


LIST_PAGES = ("participant_list", "worklist", "query_list")


def lists_vs_ping(server: Gunicorn) -> dict:
    """16 sessions of the all-sites monitor (the largest lists) ask for the long list pages in turn, then the same
    sessions call /ping/: how much slower a list page is than the cheapest signed-in page, in the same run."""
    from django.urls import reverse

    from edc.models import User

    monitor = User.objects.get(username="syn-monitor")
    urls = [reverse(name) for name in LIST_PAGES]
    clients_lists, clients_ping = [], []
    for n in range(CLIENTS):
        auth = signed_in(monitor)
        state = {"i": n}

        def next_request(state=state):
            state["i"] += 1
            return "GET", urls[state["i"] % len(urls)], None

        clients_lists.append((auth, next_request))
        clients_ping.append((auth, lambda: ("GET", "/ping/", None)))
    ping = _run(server.port, clients_ping, expected=200)
    lists = _run(server.port, clients_lists, expected=200)
    return {"clients": CLIENTS, "pages": list(LIST_PAGES), "ping": ping, "lists": lists,
            "p95_ratio": lists["p95_ms"] / ping["p95_ms"] if ping["p95_ms"] else None}


def _vitals_posts(forms: list):
    state = {"i": 0}
    values = [{"measured_on": f.measured_on.isoformat(), "systolic_bp": f.systolic_bp, "diastolic_bp": f.diastolic_bp,
               "heart_rate": f.heart_rate, "temperature_c": f.temperature_c, "weight_kg": f.weight_kg,
               "height_cm": "" if f.height_cm is None else f.height_cm, "visit": f.visit_id} for f in forms]

    def next_request():
        v = values[state["i"] % len(values)]
        state["i"] += 1
        v["heart_rate"] += 1 if state["i"] // len(values) % 2 == 0 else -1  # always a change: a history row
        fields = {k: v[k] for k in v if k != "visit"}
        fields.update(reason_for_change="Corrected from the nursing chart (benchmark)", acknowledge="1")
        return "POST", f"/visits/{v['visit']}/crf/vitals/", fields

    return next_request


def randomize_all(server: Gunicorn) -> dict:
    """Every enrolled participant waiting for randomization, all at once (one thread each, released
    together): allocations per second, and whether any row or participant was allocated twice."""
    from django.db import connection

    from edc.models import Participant, User
    from randomization.models import AllocationRow, Randomization

    waiting = list(Participant.objects.filter(status="enrolled", randomization__isnull=True))
    auth = {site: signed_in(User.objects.filter(groups__name="clinician", sites=site).order_by("id").first())
            for site in {p.site_id for p in waiting}}
    used_before = AllocationRow.objects.filter(used_at__isnull=False).count()
    start = threading.Barrier(len(waiting) + 1)
    results: list = []

    def one(p):
        a = auth[p.site_id]
        body = urlencode({"confirm": "on", "csrfmiddlewaretoken": a["csrf"]})
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
        start.wait()
        conn.request("POST", f"/participants/{p.pk}/randomize/", body=body,
                     headers={"Cookie": a["cookie"], "Content-Type": "application/x-www-form-urlencoded"})
        r = conn.getresponse()
        r.read()
        results.append((time.perf_counter(), r.status))

    threads = [threading.Thread(target=one, args=(p,), daemon=True) for p in waiting]
    for t in threads:
        t.start()
    start.wait()
    began = time.perf_counter()
    for t in threads:
        t.join()
    seconds = max(r[0] for r in results) - began
    ids = [p.pk for p in waiting]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM (SELECT row_id FROM randomization_randomization GROUP BY row_id "
                       "HAVING count(*) > 1) d")
        duplicate_rows = cursor.fetchone()[0]
    made = Randomization.objects.filter(participant_id__in=ids)
    gaps = 0
    for stratum_id in AllocationRow.objects.values_list("stratum_id", flat=True).distinct():
        used = list(AllocationRow.objects.filter(stratum_id=stratum_id, used_at__isnull=False,
                                                 allocation_list__active=True)
                    .order_by("sequence").values_list("sequence", flat=True))
        gaps += sum(1 for a, b in zip(used, used[1:], strict=False) if b != a + 1)
    return {"requests": len(waiting), "succeeded": sum(1 for r in results if r[1] == 302),
            "seconds": seconds, "per_second": len(waiting) / seconds if seconds else 0.0,
            "randomized": made.count(), "distinct_rows": made.values("row_id").distinct().count(),
            "duplicate_rows": duplicate_rows,
            "rows_used": AllocationRow.objects.filter(used_at__isnull=False).count() - used_before,
            "sequence_gaps": gaps}


def main() -> None:
    setup()
    log = ROOT / "var" / "bench" / "gunicorn.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    server = Gunicorn(log)
    try:
        jobs = {"crf": crf_save_vs_ping, "randomize": randomize_all, "lists": lists_vs_ping}
        emit(jobs[sys.argv[1]](server))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
