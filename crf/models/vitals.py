"""Vital signs, one form per visit: BP, heart rate, temperature, weight, height.

The BP feeds the BILAG-2004 renal grade (crf.ecrf.bilag); the weight is the participant's dosing
weight at the infusion visits (protocol 2.5: 1×10⁶ cells/kg)."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import CrfModel


class VitalSigns(CrfModel):
    measured_on = models.DateField(_("Date measured"))
    systolic_bp = models.PositiveSmallIntegerField(_("Systolic blood pressure (mmHg)"))
    diastolic_bp = models.PositiveSmallIntegerField(_("Diastolic blood pressure (mmHg)"))
    heart_rate = models.PositiveSmallIntegerField(_("Heart rate (/min)"))
    temperature_c = models.DecimalField(_("Temperature (°C)"), max_digits=3, decimal_places=1)
    weight_kg = models.DecimalField(_("Body weight (kg)"), max_digits=4, decimal_places=1)
    height_cm = models.DecimalField(_("Height (cm)"), max_digits=4, decimal_places=1, null=True,
                                    blank=True)

    crf_key = "vitals"

    class Meta(CrfModel.Meta):
        verbose_name = _("vital signs")
        verbose_name_plural = _("vital signs")

    def __str__(self) -> str:
        return f"{self.measured_on} {self.systolic_bp}/{self.diastolic_bp} mmHg"
