"""Celery tasks of the safety module: thin callers of services."""
from celery import shared_task

from safety.services import obligations, undelivered


@shared_task(name="safety.tasks.sweep_obligations")
def sweep_obligations() -> int:
    """Beat, every minute: alerts that are due (docs/ARCHITECTURE.md rule 4; no long countdown tasks), and
    the in-app escalation of SAE alert e-mails that keep failing."""
    created = obligations.sweep()
    undelivered.escalate()
    return created


@shared_task(name="safety.tasks.sweep_case")
def sweep_case(case_id) -> int:
    return obligations.sweep(case_id=case_id)
