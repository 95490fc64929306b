"""The Celery app: one worker pool and one beat (docs/ARCHITECTURE.md, "Runtime")."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edc.settings")

app = Celery("edc")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
