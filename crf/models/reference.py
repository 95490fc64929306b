"""Laboratory reference ranges (labs): configurable by the data manager in the admin.

Used by the lab panel's gross-outlier check and by the SLEDAI-2K suggestions ("below the lower limit
of the testing laboratory", docs/DOMAIN.md §3). Defaults: crf.services.reference_ranges."""
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from edc.models.base import NoDeleteQuerySet


class Analyte(models.TextChoices):
    ALBUMIN = "albumin", _("Albumin")
    C3 = "c3", _("C3")
    C4 = "c4", _("C4")
    ANTI_DSDNA = "anti_dsdna", _("Anti-dsDNA")
    HAEMOGLOBIN = "haemoglobin", _("Haemoglobin")
    WBC = "wbc", _("White blood cells")
    PLATELETS = "platelets", _("Platelets")
    ALT = "alt", _("ALT")
    AST = "ast", _("AST")


class ReferenceRange(models.Model):
    analyte = models.CharField(_("analyte"), max_length=20, choices=Analyte.choices, unique=True)
    lower = models.DecimalField(_("lower limit"), max_digits=8, decimal_places=3, null=True, blank=True,
                                help_text=_("Empty when the laboratory gives only an upper limit."))
    upper = models.DecimalField(_("upper limit"), max_digits=8, decimal_places=3, null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=20)

    history = HistoricalRecords()  # configuration that changes derived suggestions: keep who and when
    objects = NoDeleteQuerySet.as_manager()

    class Meta:
        ordering = ["analyte"]
        verbose_name = _("laboratory reference range")
        verbose_name_plural = _("laboratory reference ranges")
        constraints = [models.CheckConstraint(
            condition=models.Q(lower__isnull=True) | models.Q(upper__isnull=True)
            | models.Q(lower__lt=models.F("upper")), name="reference_range_lower_below_upper")]

    def __str__(self) -> str:
        low = "" if self.lower is None else f"{self.lower.normalize():f}"
        high = "" if self.upper is None else f"{self.upper.normalize():f}"
        return f"{self.get_analyte_display()} {low}–{high} {self.unit}"
