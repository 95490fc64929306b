"""Queue a Celery task after the transaction commits, by the task's registered name.

Services name the task instead of importing it, so no service imports its app's tasks module
while that module imports the service (tasks are thin callers of services, docs/ARCHITECTURE.md "Style"): the import
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
            task = app.tasks.get(task_name)
            if task is None:
                # Autodiscovery imports the apps' tasks modules when a worker starts; a web process has not
                # imported them yet: import the named task's module now, so the task is found by its name.
                # (Not app.loader.import_default_modules(): through Celery's Django fix-up it would run
                # django.setup() again and reconfigure logging in the middle of a request.)
                import importlib

                importlib.import_module(task_name.rsplit(".", 1)[0])
                task = app.tasks.get(task_name)
            if task is not None:
                task.apply_async(args=args)
            else:
                app.send_task(task_name, args=list(args))
        except Exception as error:
            log.warning("could not queue %s%s: %s; the sweep will retry", task_name, args, error)

    transaction.on_commit(send)
