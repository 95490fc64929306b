"""Kidney biopsy, at any visit (protocol 2.6: repeat biopsy after complete remission to assess the
histological response). ISN/RPS class and the modified NIH activity/chronicity components (Bajema
2018, docs/DOMAIN.md §5); the two indices are derived on save and never added together."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from edc.clinical.nih import ISN_RPS_CLASSES

from .base import CrfModel


class ComponentScore(models.IntegerChoices):  # §5.2: of glomeruli, or of cortex for tubulointerstitial
    ABSENT = 0, _("0 — absent")
    MILD = 1, _("1 — < 25 %")
    MODERATE = 2, _("2 — 25–50 %")
    SEVERE = 3, _("3 — > 50 %")


class HistologicalResponse(models.TextChoices):
    COMPLETE = "complete", _("Complete")
    PARTIAL = "partial", _("Partial")
    NONE = "none", _("None")
    NOT_ASSESSABLE = "not_assessable", _("Not assessable")


def _score(label) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(label, choices=ComponentScore.choices)


class KidneyBiopsy(CrfModel):
    biopsy_date = models.DateField(_("Biopsy date"))
    isn_rps_class = models.CharField(_("ISN/RPS class"), max_length=5,
                                     choices=[(c, c) for c in ISN_RPS_CLASSES])
    # Activity components (field names = edc.clinical.nih.ACTIVITY_WEIGHTS keys)
    endocapillary_hypercellularity = _score(_("Endocapillary hypercellularity"))
    neutrophils_karyorrhexis = _score(_("Neutrophils and/or karyorrhexis"))
    fibrinoid_necrosis = _score(_("Fibrinoid necrosis"))
    hyaline_deposits = _score(_("Hyaline deposits (wire loops and/or hyaline thrombi)"))
    cellular_fibrocellular_crescents = _score(_("Cellular and/or fibrocellular crescents"))
    interstitial_inflammation = _score(_("Interstitial inflammation"))
    # Chronicity components (edc.clinical.nih.CHRONICITY_WEIGHTS keys)
    total_glomerulosclerosis = _score(_("Total glomerulosclerosis (global and segmental)"))
    fibrous_crescents = _score(_("Fibrous crescents"))
    tubular_atrophy = _score(_("Tubular atrophy"))
    interstitial_fibrosis = _score(_("Interstitial fibrosis"))

    activity_index = models.PositiveSmallIntegerField(_("NIH activity index (0–24, computed)"), null=True,
                                                      blank=True)
    chronicity_index = models.PositiveSmallIntegerField(_("NIH chronicity index (0–12, computed)"),
                                                        null=True, blank=True)
    histological_response = models.CharField(_("Histological response"), max_length=20,
                                             choices=HistologicalResponse.choices)

    crf_key = "biopsy"

    class Meta(CrfModel.Meta):
        verbose_name = _("kidney biopsy")
        verbose_name_plural = _("kidney biopsies")

    def __str__(self) -> str:
        return f"{self.biopsy_date} {self.isn_rps_class} AI {self.activity_index} CI {self.chronicity_index}"
