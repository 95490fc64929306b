"""Celery tasks of the exports module: thin callers of services."""
from celery import shared_task

from exports.services import runs


@shared_task(name="exports.tasks.build_export", acks_late=True)
def build_export(run_id: str) -> str:
    return runs.build(run_id).status


@shared_task(name="exports.tasks.requeue_lost_exports")
def requeue_lost_exports() -> int:
    return runs.requeue_lost()
