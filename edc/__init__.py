"""The trial EDC: project package (settings, urls, Celery app) and the trial core."""
from .celery import app as celery_app

__all__ = ("celery_app",)
