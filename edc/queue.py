"""Queue a Celery task after the transaction commits, by the task's registered name.

Services name the task instead of importing it, so no service imports its app's tasks module
while that module imports the service (tasks are thin callers of services, STYLE.md): the import
graph points one way, tasks -> services. If the broker is down the row the task would work on
stays pending and the beat sweep picks it up later: a broker outage delays work, never loses it."""
import logging

from django.db import transaction

log = logging.getLogger(__name__)


def enqueue_after_commit(task_name, *args) -> None:
    """`task_name`: the task's registered name (a task object is accepted and read for its name)."""
    task_name = task_name if isinstance(task_name, str) else task_name.name

    def send() -> None:
        from edc.celery import app

        try:
            app.tasks[task_name].apply_async(args=args)  # registered by autodiscovery
        except Exception as error:
            log.warning("could not queue %s%s: %s; the sweep will retry", task_name, args, error)

    transaction.on_commit(send)
