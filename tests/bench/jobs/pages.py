"""Pages under data: the number of queries of the worklist, participant list, home dashboard and
schedule-of-assessments grid (it must not grow with the number of participants), and their
latency, rendered through Django's test client with every middleware (DEBUG off), as the
all-sites monitor (`syn-monitor` sees every participant: the heaviest case)."""
import time

from tests.bench.jobs import emit, percentile, setup

REQUESTS = 40


def main() -> None:
    setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    import edc.wsgi  # noqa: F401 - start as the server does (URL conf loaded, start-up state frozen for the GC)
    from edc.models import Participant, User

    user = User.objects.get(username="syn-monitor")
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    first = Participant.objects.filter(randomization__isnull=False).order_by("randomization__randomized_at").first()
    pages = {"worklist": reverse("worklist"), "participant_list": reverse("participant_list"),
             "home": reverse("home"), "schedule_grid": reverse("schedule_grid", args=[first.pk])}
    out = {"participants": Participant.objects.filter(randomization__isnull=False).count(), "pages": {}}
    for name, url in pages.items():
        for _ in range(3):  # warm: templates compiled, caches filled
            assert client.get(url).status_code == 200, url
        with CaptureQueriesContext(connection) as captured:
            status = client.get(url).status_code
        sql = [q["sql"] for q in captured.captured_queries]  # now: the log is cleared at the next request
        times = []
        for _ in range(REQUESTS):
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        out["pages"][name] = {"status": status, "queries": len(sql), "p50_ms": percentile(times, 50),
                              "p95_ms": percentile(times, 95), "sql": [q[:300] for q in sql]}
    emit(out)


if __name__ == "__main__":
    main()
