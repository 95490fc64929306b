"""Central monitoring under data (docs/CENTRAL_MONITORING.md "Scale"): the query count of the
indicators page, the SDV plan page and the worklist (fixed: the same at 96 and 10,000), the first
load of the day (today's values and the 13-point trends, computed by aggregate SQL) and the steady
state (trends from the cache, today's values live), as the all-sites monitor `syn-monitor`, with the
SDV sample's draws kept as the nightly task leaves them (monitoring.draws; the time it took is
reported: the first run keeps every form's, later runs only the new forms')."""
import time

from tests.bench.jobs import emit, percentile, setup

REQUESTS = 12


def main() -> None:
    setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    import edc.wsgi  # noqa: F401 - start as the server does
    from edc.models import Participant, User
    from monitoring import draws

    client = Client()
    client.force_login(User.objects.get(username="syn-monitor"), backend="django.contrib.auth.backends.ModelBackend")
    out = {"participants": Participant.objects.filter(randomization__isnull=False).count(), "pages": {}}
    started = time.perf_counter()
    draws.refresh_now()
    out["refresh_draws_ms"] = (time.perf_counter() - started) * 1000
    cache.clear()
    started = time.perf_counter()
    assert client.get(reverse("monitoring_dashboard")).status_code == 200
    out["first_load_ms"] = (time.perf_counter() - started) * 1000
    pages = {"monitoring": reverse("monitoring_dashboard"), "monitoring_plan": reverse("monitoring_plan"),
             "monitoring_worklist": reverse("monitoring_worklist"),
             "monitoring_indicator": reverse("monitoring_indicator", args=["sdv_backlog"])}
    for name, url in pages.items():
        assert client.get(url).status_code == 200, url  # warm
        with CaptureQueriesContext(connection) as captured:
            status = client.get(url).status_code
        queries = len(captured)  # now: the log is cleared at the next request
        times = []
        for _ in range(REQUESTS):
            t = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - t) * 1000)
        out["pages"][name] = {"status": status, "queries": queries, "p50_ms": percentile(times, 50),
                              "p95_ms": percentile(times, 95)}
    emit(out)


if __name__ == "__main__":
    main()
