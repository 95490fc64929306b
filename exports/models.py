"""Exports: every export is logged; the arm is released only after database lock and a
recorded unblinding of the dataset; statisticians may hold an API token."""
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


def default_formats() -> list[str]:
    return ["csv", "sav"]


class ExportRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    datasets = models.JSONField(default=list)
    formats = models.JSONField(default=default_formats)  # data file formats in the bundle (exports.writers)
    # Site ids the export holds; null = every site (a trial-wide grant; exports.scope).
    site_ids = models.JSONField(null=True, blank=True)
    blinded = models.BooleanField(default=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    progress_label = models.CharField(max_length=200, blank=True)
    file_path = models.CharField(max_length=500, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    file_size = models.BigIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The builder renews this while it works; once it has passed, the worker is taken for dead and
    # the beat's sweep takes the run over (docs/EXPORTS_RELIABILITY.md).
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    builds = models.PositiveSmallIntegerField(default=0)  # builds started (1 + takeovers)

    class Meta:
        ordering = ["-requested_at"]
        permissions = [("export_trial_wide", "May export the participants of every site")]

    def __str__(self) -> str:
        return f"export {self.requested_at:%Y-%m-%d %H:%M} {self.status}"

    @property
    def percent(self) -> int:
        return int(100 * self.progress_done / self.progress_total) if self.progress_total else 0


class DatasetUnblinding(models.Model):
    """The recorded decision to release the arm to the analysis datasets (after database lock)."""

    authorised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    authorised_at = models.DateTimeField()
    reason = models.TextField(_("reason"))
    database_lock_id = models.BigIntegerField()

    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"dataset unblinding {self.authorised_at:%Y-%m-%d}"


class ApiToken(models.Model):
    """A statistician's read-only export token; only its SHA-256 is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens")
    key_sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # issuing and revoking are audited; last use is a convenience stamp, not an audited fact
    history = HistoricalRecords(excluded_fields=["last_used_at"])

    def __str__(self) -> str:
        return f"token of {self.user} ({'revoked' if self.revoked_at else 'active'})"
