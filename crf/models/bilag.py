"""BILAG-2004 renal system, one form per visit (protocol 2.6 secondary outcome; docs/DOMAIN.md §4).

The investigator records the items that are not measurements; blood pressure comes from the
visit's vital signs and protein, creatinine and GFR from its lab panel, the previous values from
the participant's previous visit with labs. The grade, the features that decided it and the values
it was computed from are stored on save."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import CrfModel


class Dipstick(models.IntegerChoices):
    NEGATIVE = 0, _("Negative or trace")
    ONE = 1, "+"
    TWO = 2, "++"
    THREE = 3, "+++"


class BilagGrade(models.TextChoices):
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"
    D = "D", "D"
    E = "E", "E"


class BilagRenal(CrfModel):
    accelerated_hypertension = models.BooleanField(_("Accelerated hypertension"), default=False)
    nephrotic_syndrome = models.BooleanField(_("Nephrotic syndrome"), default=False)
    active_urinary_sediment = models.BooleanField(
        _("Active urinary sediment"), default=False,
        help_text=_("Pyuria >5 WBC/HPF, haematuria >5 RBC/HPF or red-cell casts, excluding infection."))
    histological_active_nephritis = models.BooleanField(
        _("Histological evidence of active nephritis within the last 3 months"), default=False,
        help_text=_("Sclerosis-only lesions do not count."))
    dipstick_protein = models.PositiveSmallIntegerField(
        _("Urine dipstick protein"), choices=Dipstick.choices, null=True, blank=True,
        help_text=_("Leave empty if not done. Used only when no quantitative protein measure exists."))

    grade = models.CharField(_("BILAG-2004 renal grade (computed)"), max_length=1,
                             choices=BilagGrade.choices, blank=True)
    features = models.JSONField(_("features that decided the grade"), default=list, blank=True)
    inputs = models.JSONField(_("values the grade was computed from"), default=dict, blank=True)

    crf_key = "bilag"

    class Meta(CrfModel.Meta):
        verbose_name = _("BILAG-2004 renal")
        verbose_name_plural = _("BILAG-2004 renal assessments")

    def __str__(self) -> str:
        return f"BILAG renal {self.grade}"
