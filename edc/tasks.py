"""Celery tasks of the core: thin callers (STYLE.md)."""
from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

HEARTBEAT_KEY = "edc:worker-heartbeat"


@shared_task(name="edc.tasks.heartbeat")
def heartbeat() -> str:
    """Beat sends this every minute; the status page shows the last time a worker ran it."""
    stamp = timezone.now().isoformat()
    cache.set(HEARTBEAT_KEY, stamp, timeout=None)
    return stamp
