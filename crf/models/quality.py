"""Data quality and sign-off (protocol 2.9-2.10; 21 CFR Part 11; ICH E6(R3) 4.2): queries on form
fields, electronic signatures (CRF, visit or casebook) and locks (CRF, casebook, database)."""
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from edc.models import ClinicalModel, Participant

from .visits import Visit


class Query(ClinicalModel):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")

    class Origin(models.TextChoices):
        MANUAL = "manual", _("Raised by a reviewer")
        EDIT_CHECK = "edit_check", _("Edit-check warning saved anyway")

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="queries")
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    crf_key = models.CharField(_("form"), max_length=30)
    object_id = models.UUIDField()
    field_name = models.CharField(_("field"), max_length=60, blank=True)
    text = models.TextField(_("query"))
    due_date = models.DateField(_("answer by"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    origin = models.CharField(max_length=12, choices=Origin.choices, default=Origin.MANUAL)
    warning_code = models.CharField(max_length=60, blank=True)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("raised by"))
    raised_at = models.DateTimeField(_("raised at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-raised_at"]
        indexes = [models.Index(fields=["status", "participant"]), models.Index(fields=["object_id"])]
        verbose_name = _("query")
        verbose_name_plural = _("queries")

    def __str__(self) -> str:
        return f"{self.crf_key}.{self.field_name}: {self.text[:40]}"


class QueryMessage(models.Model):
    class Kind(models.TextChoices):
        RAISED = "raised", _("Raised")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")
        REOPENED = "reopened", _("Re-opened")

    query = models.ForeignKey(Query, on_delete=models.PROTECT, related_name="messages")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    text = models.TextField()
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d}"


class Scope(models.TextChoices):
    CRF = "crf", _("Form")
    VISIT = "visit", _("Visit")
    CASEBOOK = "casebook", _("Casebook")
    DATABASE = "database", _("Whole database")


SIGNATURE_MEANING = _("I confirm these data are accurate and complete.")


class Signature(models.Model):
    """A PI's electronic signature: printed name, date-time and meaning, linked to what was signed
    by a hash of its content; a later change invalidates it visibly, with the reason."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    scope = models.CharField(max_length=10, choices=Scope.choices)
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="signatures")
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    crf_key = models.CharField(max_length=30, blank=True)
    object_id = models.UUIDField(null=True, blank=True)
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    printed_name = models.CharField(_("printed name"), max_length=200)
    meaning = models.CharField(_("meaning"), max_length=300)
    signed_at = models.DateTimeField(_("signed at"))
    content_hash = models.CharField(max_length=64)
    invalidated_at = models.DateTimeField(_("invalidated at"), null=True, blank=True)
    invalidated_reason = models.TextField(_("why invalidated"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-signed_at"]
        indexes = [models.Index(fields=["participant", "invalidated_at"])]

    def __str__(self) -> str:
        return f"{self.printed_name} {self.signed_at:%Y-%m-%d %H:%M} {self.scope}"

    @property
    def valid(self) -> bool:
        return self.invalidated_at is None


class Lock(models.Model):
    """Read-only for everyone while active; unlocking needs a reason and is audited."""

    scope = models.CharField(max_length=10, choices=Scope.choices)
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="locks")
    crf_key = models.CharField(max_length=30, blank=True)
    object_id = models.UUIDField(null=True, blank=True)
    locked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    locked_at = models.DateTimeField(_("locked at"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    unlocked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    unlocked_at = models.DateTimeField(_("unlocked at"), null=True, blank=True)
    unlock_reason = models.CharField(_("reason for unlocking"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-locked_at"]
        indexes = [models.Index(fields=["scope", "unlocked_at"])]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} lock {self.locked_at:%Y-%m-%d}"

    @property
    def active(self) -> bool:
        return self.unlocked_at is None

    def describe(self) -> str:
        """Why data is read-only, in the reader's words: what is locked, since when, by whom, why."""
        from django.utils import timezone

        what = {Scope.CRF: _("this form is locked"), Scope.CASEBOOK: _("this participant's casebook is locked"),
                Scope.DATABASE: _("the database is locked")}.get(self.scope, _("locked"))
        text = _("Read-only: %(what)s since %(at)s by %(who)s.") % {
            "what": what, "at": timezone.localtime(self.locked_at).strftime("%Y-%m-%d %H:%M"),
            "who": self.locked_by.printed_name if self.locked_by_id else "?"}
        if self.reason:
            text += " " + _("Reason: %(reason)s") % {"reason": self.reason}
        return text + " " + _("A data manager can unlock it, giving a reason.")
