"""Protocol deviations. Major deviations remove a participant from the per-protocol set
(protocol 2.13.1: PPS = FAS minus major protocol deviations)."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import CrfLogModel
from .conmeds import ConcomitantMedication


class DeviationSeverity(models.TextChoices):
    MAJOR = "major", _("Major")
    MINOR = "minor", _("Minor")


class DeviationCategory(models.TextChoices):
    ELIGIBILITY = "eligibility", _("Eligibility")
    CONSENT = "consent", _("Informed consent")
    VISIT_WINDOW = "visit_window", _("Visit window")
    PROHIBITED_MEDICATION = "prohibited_medication", _("Prohibited medication")
    DOSING = "dosing", _("Dosing / infusion")
    OTHER = "other", _("Other")


class ProtocolDeviation(CrfLogModel):
    crf_key = "deviation"

    date = models.DateField(_("Date of the deviation"))
    severity = models.CharField(_("Severity"), max_length=10, choices=DeviationSeverity.choices)
    category = models.CharField(_("Category"), max_length=30, choices=DeviationCategory.choices)
    description = models.TextField(_("Description"))
    corrective_action = models.TextField(_("Corrective and preventive action"), blank=True)
    # Set when the deviation was proposed from a prohibited concomitant medication (protocol 2.5.5).
    conmed = models.ForeignKey(ConcomitantMedication, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="deviations", verbose_name=_("concomitant medication"))

    class Meta:
        verbose_name = _("protocol deviation")
        verbose_name_plural = _("protocol deviations")

    def __str__(self) -> str:
        return f"{self.date} {self.get_severity_display()}: {self.get_category_display()}"
