"""Prednisone dose log (protocol 2.5.2): one row per dose change; a dose holds from its start date
until the next row's start date."""
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import CrfLogModel


class WeightSource(models.TextChoices):
    VITALS = "vitals", _("Vital signs")
    ENTERED = "entered", _("Entered on this form")


class PrednisoneDose(CrfLogModel):
    crf_key = "prednisone"

    start_date = models.DateField(_("Start date of this dose"))
    dose_mg_day = models.DecimalField(_("Prednisone dose (mg/day)"), max_digits=6, decimal_places=2)
    weight_kg = models.DecimalField(
        _("Body weight (kg)"), max_digits=5, decimal_places=1, null=True, blank=True,
        help_text=_("Taken from the vital signs on or before the start date when recorded there; "
                    "enter it only when the vital signs have no weight."))
    weight_source = models.CharField(_("weight taken from"), max_length=10, choices=WeightSource.choices,
                                     blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["participant", "start_date"],
                                               name="prednisone_one_dose_per_start_date")]
        verbose_name = _("prednisone dose")
        verbose_name_plural = _("prednisone doses")

    def __str__(self) -> str:
        return f"{self.start_date}: {self.dose_mg_day} mg/day"

    @property
    def mg_per_kg(self) -> Decimal | None:
        """Shown in the dose history; the protocol check itself is edc.clinical.prednisone."""
        if not self.weight_kg or self.dose_mg_day is None:
            return None
        return (self.dose_mg_day / self.weight_kg).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
