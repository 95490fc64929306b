"""Adverse events, SAE cases and their reporting obligations (protocol 2.5.6, 3.3).

Deadlines are data, not timers (docs/ARCHITECTURE.md rule 4): each SAE case stores the moment the site
became aware (date and time); each obligation row has its `due_at`; the beat sweep finds what needs
an alert and sends each stage once per recipient.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from edc.models import ClinicalModel, Notification, Participant

from .vocab import SOC_CHOICES, Action, Causality, Grade, Outcome


class AdverseEvent(ClinicalModel):
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="adverse_events")
    term = models.CharField(_("event term (CTCAE v5.0)"), max_length=200)
    soc = models.CharField(_("system organ class"), max_length=100, choices=SOC_CHOICES)
    onset_date = models.DateField(_("onset date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    grade = models.PositiveSmallIntegerField(_("CTCAE grade"), choices=Grade.choices)
    death = models.BooleanField(_("Results in death"), default=False)
    life_threatening = models.BooleanField(_("Is life-threatening"), default=False)
    hospitalisation = models.BooleanField(_("Requires or prolongs inpatient hospitalisation"), default=False)
    disability = models.BooleanField(_("Persistent or significant disability/incapacity"), default=False)
    congenital_anomaly = models.BooleanField(_("Congenital anomaly/birth defect"), default=False)
    important_medical_event = models.BooleanField(_("Important medical event"), default=False)
    causality = models.CharField(_("causality (NMPA six levels)"), max_length=20, choices=Causality.choices)
    expected = models.BooleanField(_("expected (per Investigator's Brochure)"))
    action = models.CharField(_("action taken with the study intervention"), max_length=20,
                              choices=Action.choices)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    description = models.TextField(_("description"), blank=True)
    in_collection_window = models.BooleanField(_("inside the protocol's AE collection window"),
                                               default=False, editable=False)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    SERIOUSNESS_FIELDS = ("death", "life_threatening", "hospitalisation", "disability",
                          "congenital_anomaly", "important_medical_event")

    class Meta:
        ordering = ["-onset_date"]
        verbose_name = _("adverse event")
        verbose_name_plural = _("adverse events")

    def __str__(self) -> str:
        return f"{self.term} (G{self.grade})"

    @property
    def seriousness(self) -> list[str]:
        return [name for name in self.SERIOUSNESS_FIELDS if getattr(self, name)]

    @property
    def is_serious(self) -> bool:
        return bool(self.seriousness)


class SaeCase(ClinicalModel):
    adverse_event = models.OneToOneField(AdverseEvent, on_delete=models.PROTECT, related_name="sae")
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="sae_cases")
    aware_at = models.DateTimeField(_("site became aware (date and time)"))
    narrative = models.TextField(_("narrative"))

    class Meta:
        ordering = ["-aware_at"]
        verbose_name = _("SAE case")
        verbose_name_plural = _("SAE cases")

    def __str__(self) -> str:
        return f"SAE {self.participant} {self.adverse_event.term}"


class SaeReport(ClinicalModel):
    class Kind(models.TextChoices):
        INITIAL = "initial", _("Initial report")
        FOLLOW_UP = "follow_up", _("Follow-up report")

    case = models.ForeignKey(SaeCase, on_delete=models.PROTECT, related_name="reports")
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("report"), max_length=10, choices=Kind.choices)
    number = models.PositiveSmallIntegerField(_("number"))
    reported_at = models.DateTimeField(_("reported at"))
    content = models.TextField(_("content"))
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["case", "number"]
        constraints = [models.UniqueConstraint(fields=["case", "number"], name="one_report_number_per_case")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.number}"


class ObligationPolicy(models.Model):
    """Editable policy table (docs/DECISIONS.md): who must hear of an SAE, and by when."""

    class Recipient(models.TextChoices):
        PRINCIPAL_INVESTIGATOR = "pi", _("Principal investigator")
        SPONSOR = "sponsor", _("Sponsor")
        ETHICS = "ethics", _("Ethics committee")

    code = models.SlugField(max_length=30, unique=True)
    label = models.CharField(_("obligation"), max_length=200)
    recipient = models.CharField(_("recipient"), max_length=10, choices=Recipient.choices)
    hours = models.PositiveIntegerField(_("hours from awareness"))
    remind_before_hours = models.PositiveIntegerField(_("reminder, hours before the deadline"))
    active = models.BooleanField(default=True)

    # The deadlines of every future SAE come from here: every change has who and why.
    history = HistoricalRecords()

    class Meta:
        ordering = ["hours", "code"]
        verbose_name = _("SAE reporting obligation policy")

    def __str__(self) -> str:
        return self.label


class SaeObligation(models.Model):
    case = models.ForeignKey(SaeCase, on_delete=models.PROTECT, related_name="obligations")
    policy = models.ForeignKey(ObligationPolicy, on_delete=models.PROTECT, related_name="+")
    due_at = models.DateTimeField(_("due"))
    remind_at = models.DateTimeField(_("reminder"))
    met_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    met_how = models.CharField(_("how"), max_length=100, blank=True)
    met_reference = models.CharField(_("reference"), max_length=200, blank=True)
    met_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_at"]
        constraints = [models.UniqueConstraint(fields=["case", "policy"], name="one_obligation_per_policy")]
        indexes = [models.Index(fields=["met_at", "due_at"])]

    def __str__(self) -> str:
        return f"{self.policy} · {self.case}"


class ObligationAlert(models.Model):
    """One alert stage for one recipient of one obligation: exactly once (unique)."""

    obligation = models.ForeignKey(SaeObligation, on_delete=models.PROTECT, related_name="alerts")
    stage = models.CharField(max_length=20)  # created | reminder | due | overdue-<day>
    recipient = models.CharField(max_length=200)  # user:<pk> or email:<address>
    # One notification lists every obligation of an SAE at the same stage (safety.services.alerts)
    notification = models.ForeignKey(Notification, on_delete=models.PROTECT, related_name="obligation_alerts")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["obligation", "stage", "recipient"],
                                               name="one_alert_per_stage_and_recipient")]

    def __str__(self) -> str:
        return f"{self.obligation_id} {self.stage} {self.recipient}"
