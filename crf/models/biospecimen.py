"""Research biospecimens (protocol 2.12): blood and urine at months 0, 6, 12 and yearly, stored at
−80 °C, only with the participant's separate biospecimen consent."""
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import CrfModel


class SampleType(models.TextChoices):
    BLOOD = "blood", _("Blood")
    URINE = "urine", _("Urine")
    # One form per visit, and the protocol collects both at every biospecimen visit.
    BLOOD_AND_URINE = "blood_urine", _("Blood and urine")


class Biospecimen(CrfModel):
    crf_key = "biospecimen"

    sample_type = models.CharField(_("Sample type"), max_length=12, choices=SampleType.choices)
    tubes = models.PositiveSmallIntegerField(_("Number of tubes"))
    collected_at = models.DateTimeField(_("Collected at"))
    frozen_at = models.DateTimeField(_("Frozen at"))
    storage_temp_c = models.DecimalField(_("Storage temperature (°C)"), max_digits=5, decimal_places=1,
                                         default=Decimal("-80"))
    freezer = models.CharField(_("Freezer"), max_length=50)
    box = models.CharField(_("Box"), max_length=50)
    position = models.CharField(_("Position in the box"), max_length=50,
                                help_text=_("First tube's position, or a range, e.g. A1–A4."))

    class Meta(CrfModel.Meta):
        verbose_name = _("biospecimen collection")
        verbose_name_plural = _("biospecimen collections")

    def __str__(self) -> str:
        return f"{self.get_sample_type_display()} × {self.tubes}"
