"""eGFR by the race-free CKD-EPI 2021 creatinine equation, and KDIGO GFR categories.

docs/DECISIONS.md: eGFR is CKD-EPI 2021 (race-free), computed, never typed.
"""

from __future__ import annotations

from .units import CREATININE_UMOL_L_PER_MG_DL, require_finite, require_positive

# docs/DOMAIN.md §1.1 (Inker 2021): kappa, alpha and the female factor per sex.
_KAPPA = {"F": 0.7, "M": 0.9}
_ALPHA = {"F": -0.241, "M": -0.302}
_SEX_FACTOR = {"F": 1.012, "M": 1.0}

SEXES: tuple[str, ...] = ("F", "M")
MIN_AGE_YEARS = 18  # §1.1: the 2021 equation is for adults (>= 18 y)
MAX_AGE_YEARS = 120  # plausibility guard only (a typing error, not a clinical rule)
# Physiologically absurd above 30 mg/dL (= 2652 µmol/L): almost certainly a unit mix-up.
MAX_CREATININE_MG_DL = 30.0


def egfr_ckd_epi_2021(creatinine_mg_dl: float, age_years: float, sex: str) -> float:
    """eGFR in mL/min/1.73 m², full precision; the caller rounds for display/storage.

    eGFR = 142 × min(Scr/κ, 1)^α × max(Scr/κ, 1)^−1.200 × 0.9938^age × 1.012 [female]
    (docs/DOMAIN.md §1.1). ``creatinine_mg_dl`` must be standardised serum creatinine in mg/dL;
    convert µmol/L with ``units.creatinine_to_mg_dl`` (÷ 88.4, §1.2).
    """
    scr = require_positive(creatinine_mg_dl, "Creatinine (mg/dL)")
    if scr > MAX_CREATININE_MG_DL:
        raise ValueError(
            f"Creatinine {scr:g} mg/dL is physiologically implausible (> {MAX_CREATININE_MG_DL:g}"
            f" mg/dL, i.e. > {MAX_CREATININE_MG_DL * CREATININE_UMOL_L_PER_MG_DL:g} µmol/L);"
            " check the unit (µmol/L entered as mg/dL?)"
        )
    age = require_finite(age_years, "Age (years)")
    if age < MIN_AGE_YEARS:
        raise ValueError(f"CKD-EPI 2021 is validated for adults only (age >= 18), got {age:g}")
    if age > MAX_AGE_YEARS:
        raise ValueError(f"Age {age:g} years is implausible (> {MAX_AGE_YEARS})")
    if sex not in _KAPPA:
        raise ValueError(f"Sex must be 'F' or 'M', got {sex!r}")
    ratio = scr / _KAPPA[sex]
    return (
        142.0
        * min(ratio, 1.0) ** _ALPHA[sex]
        * max(ratio, 1.0) ** -1.200
        * 0.9938**age
        * _SEX_FACTOR[sex]
    )


# docs/DOMAIN.md §1.4 (KDIGO CKD staging): lower bound inclusive, tested top-down.
_GFR_CATEGORIES: tuple[tuple[float, str], ...] = (
    (90.0, "G1"),
    (60.0, "G2"),
    (45.0, "G3a"),
    (30.0, "G3b"),
    (15.0, "G4"),
)


def gfr_category(egfr: float) -> str:
    """KDIGO category G1..G5 (§1.4): G1 ≥90, G2 60–<90, G3a 45–<60, G3b 30–<45, G4 15–<30, G5 <15.

    Lower bounds are inclusive on the value given; pass the value you display (e.g. rounded to
    0.1) so that the shown eGFR and its category never disagree.
    """
    value = require_finite(egfr, "eGFR")
    if value < 0:
        raise ValueError(f"eGFR must not be negative, got {egfr!r}")
    for lower, category in _GFR_CATEGORIES:
        if value >= lower:
            return category
    return "G5"
