"""Benchmark jobs: each runs in its own process against one database (DATABASE_URL) and prints its
result as one JSON line last (tests.bench.run collects them)."""
import json
import os
import statistics
import sys


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edc.settings")
    import django

    django.setup()


def emit(result: dict) -> None:
    sys.stdout.write("\n" + json.dumps(result, default=str) + "\n")
    sys.stdout.flush()


def percentile(values: list[float], p: int) -> float:
    """The p-th percentile (1-99), interpolated between closest ranks."""
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]
