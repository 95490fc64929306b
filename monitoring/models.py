"""Central monitoring owns two things and nothing clinical (docs/CENTRAL_MONITORING.md):

- the risk-based SDV plan (one current row; every change audited with who, when and why);
- verification marks for the critical records that are not eCRFs (consent, eligibility,
  randomization, SAE case), which carry no verification fields of their own.
"""
import secrets
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from edc.models.base import NoDeleteQuerySet


def new_sampling_key() -> str:
    return secrets.token_hex(16)


class SdvPlan(models.Model):
    """The trial's risk-based source-data verification plan (ICH E6(R3) 3.11.4)."""

    sample_rate_pct = models.PositiveSmallIntegerField(
        _("sampling rate for other forms (%)"), default=20,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Share of each participant's non-critical forms the monitor verifies."))
    lis_counts_as_verified = models.BooleanField(
        _("laboratory values imported from the hospital laboratory system count as verified"),
        default=False)
    current_main_consent_version = models.CharField(
        _("current main consent form version"), max_length=20, blank=True,
        help_text=_("Empty: any version is current."))
    current_biospecimen_consent_version = models.CharField(
        _("current biospecimen consent form version"), max_length=20, blank=True,
        help_text=_("Empty: any version is current."))
    # The key of the deterministic sample (monitoring.sampling): set once, never shown on a page,
    # so site staff cannot predict which forms will be verified.
    sampling_key = models.CharField(max_length=64, default=new_sampling_key, editable=False)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="+")
    changed_at = models.DateTimeField(_("changed at"), auto_now=True)

    history = HistoricalRecords()
    objects = NoDeleteQuerySet.as_manager()

    class Meta:
        verbose_name = _("SDV plan")

    def __str__(self) -> str:
        return f"SDV plan {self.sample_rate_pct}%"


class RecordKind(models.TextChoices):
    MAIN_CONSENT = "consent_main", _("Main trial consent")
    BIOSPECIMEN_CONSENT = "consent_biospecimen", _("Biospecimen consent")
    ELIGIBILITY = "eligibility", _("Eligibility")
    RANDOMIZATION = "randomization", _("Randomization")
    SAE = "sae", _("SAE case")


class RecordVerification(models.Model):
    """A monitor's source-data verification of one critical record that is not an eCRF."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("record"), max_length=30, choices=RecordKind.choices)
    object_id = models.UUIDField()
    participant = models.ForeignKey("edc.Participant", on_delete=models.PROTECT, related_name="+")
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    verified_at = models.DateTimeField(_("verified at"))

    history = HistoricalRecords()
    objects = NoDeleteQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="one_verification_per_record")]
        indexes = [models.Index(fields=["participant"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"


class SampleDraw(models.Model):
    """The keyed draw of one form (monitoring.sampling.draw), kept so the pages need not hash every
    form on every visit (docs/CENTRAL_MONITORING.md "Scale"). A cache of a value that never changes
    (the form's id and the plan's key are fixed): filled nightly by monitoring.draws, read only where
    SampleDrawState proves it complete; anything else is hashed live."""

    object_id = models.UUIDField(primary_key=True)
    form_key = models.CharField(max_length=40)
    draw = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["form_key", "draw"], name="monitoring_draw_form_draw")]

    def __str__(self) -> str:
        return f"{self.form_key} {self.object_id}"


class SampleDrawState(models.Model):
    """For one form table: every form created before `drawn_before` has its draw (`drawn` of them),
    under the key whose md5 is `key_md5`. Forms are never deleted, so the count of the table's forms
    created before `drawn_before` equals `drawn` exactly when none was added back-dated since."""

    form_key = models.CharField(max_length=40, primary_key=True)
    drawn_before = models.DateTimeField()
    drawn = models.PositiveIntegerField()
    key_md5 = models.CharField(max_length=32)

    def __str__(self) -> str:
        return f"{self.form_key}: {self.drawn} before {self.drawn_before}"
