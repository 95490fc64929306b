"""Renal response, one form per visit from month 3 (primary endpoint at months 6 and 12, protocol
1.2/2.6; KDIGO 2024 as fixed in docs/DECISIONS.md). Everything but the investigator's
confirmation is derived on save from the visit's labs against the month-0 labs, and stored with the
rule lines that decided it."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import CrfModel


class ResponseCategory(models.TextChoices):  # values of edc.clinical.renal_response.ResponseCategory
    COMPLETE = "complete", _("Complete response")
    PARTIAL = "partial", _("Partial response")
    NONE = "none", _("No renal response")


def _computed(label, digits: int, places: int) -> models.DecimalField:
    return models.DecimalField(label, max_digits=digits, decimal_places=places, null=True, blank=True)


class RenalResponse(CrfModel):
    investigator_confirmed = models.BooleanField(
        _("The investigator confirms the computed response"), default=False)
    investigator_comment = models.TextField(
        _("Investigator comment"), blank=True,
        help_text=_("Required when the computed response is not confirmed."))

    category = models.CharField(_("renal response (computed)"), max_length=10,
                                choices=ResponseCategory.choices, blank=True)
    upcr_g_g = _computed(_("UPCR (g/g)"), 8, 3)
    egfr = _computed(_("eGFR (mL/min/1.73 m²)"), 5, 1)
    baseline_upcr_g_g = _computed(_("month-0 UPCR (g/g)"), 8, 3)
    baseline_egfr = _computed(_("month-0 eGFR (mL/min/1.73 m²)"), 5, 1)
    upcr_reduction_pct = _computed(_("UPCR reduction from month 0 (%)"), 7, 1)
    egfr_ratio = _computed(_("eGFR / month-0 eGFR"), 6, 3)
    tolerance = _computed(_("eGFR tolerance"), 3, 2)
    rules = models.JSONField(_("rules applied"), default=list, blank=True)

    crf_key = "response"

    class Meta(CrfModel.Meta):
        verbose_name = _("renal response")
        verbose_name_plural = _("renal responses")

    def __str__(self) -> str:
        return f"{self.get_category_display()}"
