"""The base of every clinical record: UUID key, history, never hard-deleted (docs/ARCHITECTURE.md rule 2).

Writes go through `edc.audit.save_created` / `save_changed`, which set the acting user and, for every
change to a saved record, the typed reason for change.
"""
import uuid

from django.core.exceptions import PermissionDenied
from django.db import models
from simple_history.models import HistoricalRecords


class NoDeleteQuerySet(models.QuerySet):
    def delete(self):
        raise PermissionDenied("Clinical records are never deleted.")

    def update(self, **kwargs):
        raise PermissionDenied("Clinical records change only through the audited services.")


class ClinicalModel(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(inherit=True)
    objects = NoDeleteQuerySet.as_manager()

    # Which field leads to the participant, for the per-participant audit trail.
    participant_path = "participant"

    class Meta:
        abstract = True

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Clinical records are never deleted.")
