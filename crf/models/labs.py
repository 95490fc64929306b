"""Laboratory panel, one form per visit (protocol 2.6: the central laboratory's results).

UPCR and serum creatinine are entered in the unit of the report; the canonical values (UPCR g/g,
creatinine µmol/L) and the eGFR are derived on save (docs/DECISIONS.md: units, eGFR computed,
never typed)."""
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from edc.clinical.units import CREATININE_MG_DL, CREATININE_UMOL_L, UPCR_G_G, UPCR_MG_G, UPCR_MG_MG, UPCR_MG_MMOL

from .base import CrfModel

# Exact divisors to g/g (edc.clinical.units), as Decimal so no float noise reaches a threshold.
UPCR_DIVISOR = {UPCR_G_G: Decimal(1), UPCR_MG_MG: Decimal(1), UPCR_MG_MMOL: Decimal("113.12"),
                UPCR_MG_G: Decimal(1000)}


class UpcrUnit(models.TextChoices):
    G_G = UPCR_G_G, "g/g"
    MG_MMOL = UPCR_MG_MMOL, "mg/mmol"
    MG_G = UPCR_MG_G, "mg/g"


class UpcrSpecimen(models.TextChoices):
    # KDIGO defines renal response on the 24-hour urine protein-creatinine ratio; a spot urine is
    # what most visits have. Recorded so the analysis can tell them apart.
    SPOT = "spot", _("Spot urine")
    COLLECTION_24H = "24h", _("24-hour collection")


class CreatinineUnit(models.TextChoices):
    UMOL_L = CREATININE_UMOL_L, "µmol/L"
    MG_DL = CREATININE_MG_DL, "mg/dL"


class UrinaryCasts(models.TextChoices):
    NONE = "none", _("None")
    RED_CELL = "red_cell", _("Red-cell casts")
    HEME_GRANULAR = "heme_granular", _("Heme-granular casts")
    OTHER = "other", _("Other casts only")


def _dec(label, digits: int, places: int, required: bool = False) -> models.DecimalField:
    return models.DecimalField(label, max_digits=digits, decimal_places=places,
                               null=not required, blank=not required)


class LabPanel(CrfModel):
    sample_date = models.DateField(_("Sample date"))
    upcr_value = _dec(_("Urine protein/creatinine ratio (UPCR)"), 9, 3, required=True)
    upcr_unit = models.CharField(_("UPCR unit"), max_length=10, choices=UpcrUnit.choices)
    upcr_specimen = models.CharField(_("UPCR measured on"), max_length=4, choices=UpcrSpecimen.choices,
                                     blank=True)
    upcr_g_g = _dec(_("UPCR (g/g, computed)"), 8, 3)
    urine_protein_24h_g = _dec(_("24-hour urine protein (g/24 h)"), 6, 2)
    creatinine_value = _dec(_("Serum creatinine"), 7, 2, required=True)
    creatinine_unit = models.CharField(_("Creatinine unit"), max_length=10, choices=CreatinineUnit.choices)
    creatinine_umol_l = _dec(_("Serum creatinine (µmol/L, computed)"), 7, 1)
    egfr = _dec(_("eGFR CKD-EPI 2021 (mL/min/1.73 m², computed)"), 5, 1)
    albumin_g_l = _dec(_("Serum albumin (g/L)"), 5, 1)
    c3_g_l = _dec(_("C3 (g/L)"), 5, 3)
    c4_g_l = _dec(_("C4 (g/L)"), 5, 3)
    anti_dsdna_iu_ml = _dec(_("Anti-dsDNA (IU/mL)"), 7, 1)
    urine_rbc_hpf = _dec(_("Urine red blood cells (/HPF)"), 6, 1)
    urine_wbc_hpf = _dec(_("Urine white blood cells (/HPF)"), 6, 1)
    urinary_casts = models.CharField(_("Urinary casts"), max_length=20, choices=UrinaryCasts.choices,
                                     blank=True)
    haemoglobin_g_l = _dec(_("Haemoglobin (g/L)"), 5, 1)
    wbc_10e9_l = _dec(_("White blood cells (×10⁹/L)"), 5, 2)
    platelets_10e9_l = _dec(_("Platelets (×10⁹/L)"), 6, 1)
    alt_u_l = _dec(_("ALT (U/L)"), 7, 1)
    ast_u_l = _dec(_("AST (U/L)"), 7, 1)

    crf_key = "labs"

    class Meta(CrfModel.Meta):
        verbose_name = _("laboratory panel")
        verbose_name_plural = _("laboratory panels")

    def __str__(self) -> str:
        return f"{self.sample_date} UPCR {self.upcr_g_g} g/g eGFR {self.egfr}"

    @property
    def upcr_g_g_exact(self) -> Decimal | None:
        """The UPCR as entered, in g/g without rounding (the stored upcr_g_g is rounded to 0.001 for
        display): the renal response is classified on this (56.55 mg/mmol is below 0.5 g/g)."""
        if self.upcr_value is None or not self.upcr_unit:
            return None
        return Decimal(self.upcr_value) / UPCR_DIVISOR[self.upcr_unit]

    @property
    def casts_for_sledai(self) -> bool | None:
        """SLEDAI-2K counts heme-granular or red-cell casts (docs/DOMAIN.md §3); None = not examined."""
        if not self.urinary_casts:
            return None
        return self.urinary_casts in (UrinaryCasts.RED_CELL, UrinaryCasts.HEME_GRANULAR)
