"""The SAE obligation sweep (safety.tasks.sweep_obligations -> safety.services.obligations.sweep,
run by Celery beat every minute) over 10,000 open obligations: 2,500 SAE cases the sites became
aware of during the last day (synthetic.trial.add_open_saes), with the alerts sent so far, as a
running system has them. The first sweep sends whatever stage came due since; the next ones are
the steady state, every minute."""
import time

from tests.bench.jobs import emit, percentile, setup

CASES = 2500
SWEEPS = 5


def main() -> None:
    setup()
    from safety.models import SaeObligation
    from safety.services.obligations import sweep
    from synthetic.trial import add_open_saes

    started = time.perf_counter()
    add_open_saes(CASES, seed=8)
    setup_seconds = time.perf_counter() - started
    open_now = SaeObligation.objects.filter(met_at__isnull=True).count()
    runs = []
    for _ in range(SWEEPS):
        started = time.perf_counter()
        sent = sweep()
        runs.append((time.perf_counter() - started, sent))
    steady = [seconds for seconds, _sent in runs[1:]]
    emit({"open_obligations": open_now, "setup_seconds": setup_seconds, "first_seconds": runs[0][0],
          "first_sent": runs[0][1], "seconds": percentile(steady, 50) if len(steady) > 1 else steady[0],
          "max_seconds": max(steady), "sent_after_first": sum(sent for _s, sent in runs[1:])})


if __name__ == "__main__":
    main()
