"""Celery tasks of central monitoring: thin callers."""
from celery import shared_task

from monitoring import draws


@shared_task(name="monitoring.tasks.refresh_sample_draws")
def refresh_sample_draws() -> int:
    """Beat, nightly: keep the SDV draw of the forms created since the last run (monitoring.draws)."""
    return sum(draws.refresh_now().values())
