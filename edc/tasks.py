"""Celery tasks of the core: thin callers of services (docs/ARCHITECTURE.md "Style")."""
from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from edc.services import notifications

HEARTBEAT_KEY = "edc:worker-heartbeat"


@shared_task(name="edc.tasks.heartbeat")
def heartbeat() -> str:
    """Beat sends this every minute; the status page shows the last time a worker ran it."""
    stamp = timezone.now().isoformat()
    cache.set(HEARTBEAT_KEY, stamp, timeout=None)
    return stamp


@shared_task(name="edc.tasks.deliver_email", acks_late=True)
def deliver_email(delivery_id: int) -> str:
    return notifications.send_email_delivery(delivery_id)


@shared_task(name="edc.tasks.retry_deliveries")
def retry_deliveries() -> int:
    """Every minute: send what is due (failed earlier, or lost with a worker or Redis)."""
    due = notifications.due_email_deliveries()
    for delivery_id in due:
        notifications.send_email_delivery(delivery_id)
    return len(due)


@shared_task(name="edc.tasks.check_history_drift")
def check_history_drift() -> int:
    """Daily: rows written around the application (edc.services.history_drift), logged as errors."""
    import logging

    from edc.services.history_drift import find_drift

    drift = find_drift()
    for d in drift[:50]:
        logging.getLogger("edc.audit").error("audit trail does not explain %s %s: %s", d.model, d.pk, d.problem)
    return len(drift)
