"""Lab import (docs/LAB_IMPORT.md): the hospital record number held for matching, the audited
mapping of laboratory codes to the lab form, saved column layouts, import batches and their
staged results. Staged results are not clinical records — the values reach the lab form only when
a reviewer accepts them, through crf's audited save path — so they are bulk-inserted."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from crf.models import Visit
from edc.models import ClinicalModel, Participant
from edc.models.base import NoDeleteQuerySet

from .analytes import ANALYTES
from .explain import shown


def analyte_choices():
    from crf.models.labs import LabPanel
    return [(name, LabPanel._meta.get_field(name).verbose_name) for name in ANALYTES]


class HospitalRecordNumber(ClinicalModel):
    """A participant's hospital record number (病历号): a keyed hash (HMAC-SHA256) to find it, and
    Fernet encryption to show it to the participant's site staff; a database dump reveals neither.
    Never exported."""

    participant = models.OneToOneField(Participant, on_delete=models.PROTECT, related_name="hospital_record")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    ciphertext = models.TextField(editable=False)

    # Withheld, like the arm, wherever fields are listed for people (audit trail, casebook PDF): the
    # trail shows who recorded or changed the number and why, never a value derived from it.
    blinded_fields = ("digest", "ciphertext")

    class Meta:
        verbose_name = _("hospital record number")
        verbose_name_plural = _("hospital record numbers")


class CodeSystem(models.TextChoices):
    LOINC = "loinc", "LOINC"
    LOCAL = "local", _("local LIS code")


class TestMapping(models.Model):
    """One row per laboratory code: which lab-form field it fills (edited by the data manager, every
    change with a reason)."""

    system = models.CharField(_("code system"), max_length=10, choices=CodeSystem.choices)
    code = models.CharField(_("code"), max_length=40)
    field = models.CharField(_("lab form field"), max_length=40, choices=analyte_choices)
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()
    objects = NoDeleteQuerySet.as_manager()

    class Meta:
        ordering = ["field", "system", "code"]
        constraints = [models.UniqueConstraint(fields=["system", "code"], name="one_mapping_per_code")]
        verbose_name = _("lab test mapping")
        verbose_name_plural = _("lab test mappings")

    def __str__(self) -> str:
        return f"{self.get_system_display()} {self.code} → {self.get_field_display()}"


class ColumnMapping(models.Model):
    """A saved layout for CSV/XLSX exports whose headers differ from the defaults."""

    name = models.SlugField(_("name"), max_length=40, unique=True)
    columns = models.JSONField(_("columns"), default=dict,
                               help_text=_("Default column name → header in the file."))
    history = HistoricalRecords()
    objects = NoDeleteQuerySet.as_manager()

    class Meta:
        verbose_name = _("column mapping")
        verbose_name_plural = _("column mappings")

    def __str__(self) -> str:
        return self.name


class Source(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"
    HL7 = "hl7", _("HL7 v2 file")
    MLLP = "mllp", _("HL7 v2 over MLLP")
    FHIR = "fhir", _("FHIR R4 bundle")


class ImportBatch(models.Model):
    class Status(models.TextChoices):
        STAGED = "staged", _("Staged")
        REFUSED = "refused", _("Refused")

    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    filename = models.CharField(_("file or message"), max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField(_("bytes"))
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    mapping_name = models.CharField(_("column mapping"), max_length=40, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    error = models.TextField(_("why refused"), blank=True)  # English (labs.explain)
    # the refusal's template and parameters, to show it in the reader's language (labs.explain)
    error_msgid = models.TextField(blank=True, default="")
    error_args = models.JSONField(default=dict, blank=True)
    counts = models.JSONField(_("counts"), default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sites = models.ManyToManyField("edc.Site", related_name="+", verbose_name=_("sites matched against"))
    objects = NoDeleteQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["sha256"], condition=models.Q(status="staged"),
                                               name="one_staged_batch_per_file")]
        verbose_name = _("lab import batch")
        verbose_name_plural = _("lab import batches")

    def __str__(self) -> str:
        return f"#{self.pk} {self.filename}"

    @property
    def label(self) -> str:
        """How a reason for change names the batch (docs/LAB_IMPORT.md "Review")."""
        return f"lab import #{self.pk} {self.filename} sha256:{self.sha256[:12]}"

    @property
    def error_shown(self) -> str:
        """Why the batch was refused, in the reader's language."""
        return shown(self.error, self.error_msgid, self.error_args)


class Status(models.TextChoices):
    READY = "ready", _("Ready")
    UNMATCHED = "unmatched", _("Unmatched participant")
    UNMAPPED = "unmapped", _("Unmapped test")
    UNIT = "unit", _("Unit not convertible")
    OUTSIDE_WINDOW = "outside_window", _("Outside a visit window")
    DUPLICATE = "duplicate", _("Duplicate")
    CONFLICT = "conflict", _("Conflicts with an entered value")
    CORRECTION = "correction", _("Correction of an earlier import")
    INVALID = "invalid", _("Invalid")
    ACCEPTED = "accepted", _("Accepted")
    SKIPPED = "skipped", _("Skipped")


ACCEPTABLE = (Status.READY, Status.CONFLICT, Status.CORRECTION)


class StagedResult(models.Model):
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="results")
    position = models.PositiveIntegerField(_("row or message"))
    message_id = models.CharField(_("message / report id"), max_length=120, blank=True)
    result_key = models.CharField(max_length=200, db_index=True)
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, null=True, related_name="+")
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, null=True, related_name="+")
    field = models.CharField(_("lab form field"), max_length=40, blank=True)
    test_code = models.CharField(_("test code"), max_length=60, blank=True)
    test_name = models.CharField(_("test name"), max_length=120, blank=True)
    reported_value = models.CharField(_("result as reported"), max_length=60, blank=True)
    reported_unit = models.CharField(_("unit as reported"), max_length=30, blank=True)
    reference_range = models.CharField(_("reference range"), max_length=60, blank=True)
    abnormal_flag = models.CharField(_("flag"), max_length=20, blank=True)
    result_status = models.CharField(_("result status"), max_length=10, default="final")
    collected_at = models.DateTimeField(_("collected at"), null=True)
    value = models.DecimalField(max_digits=12, decimal_places=4, null=True)  # in the form's unit
    value_unit = models.CharField(max_length=10, blank=True)  # the form's unit field, when it has one
    value_choice = models.CharField(max_length=20, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    explanation = models.CharField(_("explanation"), max_length=300, blank=True)  # English (labs.explain)
    # its template and parameters, to show it in the reader's language (labs.explain)
    explanation_msgid = models.CharField(max_length=300, blank=True, default="")
    explanation_args = models.JSONField(default=dict, blank=True)
    panel_id = models.UUIDField(null=True)  # the LabPanel the accepted value went into
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                    related_name="+")
    accepted_at = models.DateTimeField(null=True)
    # A result collected outside every visit window, placed at a visit by the reviewer (who, when,
    # why; the visit is `visit`): shown on the review page and named in the reason for change when
    # accepted (docs/LAB_IMPORT.md "Placing a result outside a visit window").
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                  related_name="+", verbose_name=_("placed by"))
    placed_at = models.DateTimeField(_("placed at"), null=True)
    # db_default: staging writes rows with COPY, naming only the columns it fills
    placed_reason = models.CharField(_("reason for the placement"), max_length=200, blank=True, db_default="")

    class Meta:
        ordering = ["batch", "position", "id"]
        indexes = [models.Index(fields=["batch", "status"]), models.Index(fields=["panel_id", "field"]),
                   models.Index(fields=["participant", "visit", "field"])]
        verbose_name = _("staged lab result")
        verbose_name_plural = _("staged lab results")

    def __str__(self) -> str:
        return f"{self.batch_id}/{self.position} {self.test_code} {self.reported_value}"

    @property
    def explanation_shown(self) -> str:
        """The explanation in the reader's language."""
        return shown(self.explanation, self.explanation_msgid, self.explanation_args)


class InterfaceToken(models.Model):
    """The laboratory system's key for the FHIR endpoint: acts as its user (a data manager account
    with the sites it may stage for). Only the SHA-256 of the key is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    key_sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"lab interface token of {self.user}"
