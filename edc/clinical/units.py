"""Unit conversions for serum creatinine and urine protein-creatinine ratio (UPCR).

docs/DECISIONS.md: units — creatinine is entered in µmol/L or mg/dL (µmol/L ÷ 88.4 = mg/dL);
UPCR is stored in g/g (= mg/mg); mg/mmol ÷ 113.12 = g/g; mg/g ÷ 1000 = g/g.
"""

from __future__ import annotations

import math
from decimal import Decimal
from numbers import Real

# docs/DOMAIN.md §1.2: fixed factor 88.4 (creatinine MW 113.12 g/mol); EDC decision, not 88.42.
CREATININE_UMOL_L_PER_MG_DL = 88.4
# docs/DOMAIN.md §2.1 "Unit caution": 1 g/g = 113.12 mg/mmol exactly (creatinine MW).
UPCR_MG_MMOL_PER_G_G = 113.12

CREATININE_UMOL_L = "umol/L"
CREATININE_MG_DL = "mg/dL"
CREATININE_UNITS: tuple[str, ...] = (CREATININE_UMOL_L, CREATININE_MG_DL)

UPCR_G_G = "g/g"
UPCR_MG_MMOL = "mg/mmol"
UPCR_MG_G = "mg/g"
UPCR_MG_MG = "mg/mg"
UPCR_UNITS: tuple[str, ...] = (UPCR_G_G, UPCR_MG_MMOL, UPCR_MG_G, UPCR_MG_MG)

# Divisor that turns a UPCR in the given unit into g/g.
_UPCR_DIVISOR: dict[str, float] = {
    UPCR_G_G: 1.0,
    UPCR_MG_MG: 1.0,  # mg/mg is dimensionally identical to g/g
    UPCR_MG_MMOL: UPCR_MG_MMOL_PER_G_G,
    UPCR_MG_G: 1000.0,
}


def require_finite(value: float, name: str) -> float:
    """Return ``value`` as float; ``ValueError`` if it is not finite.

    int, float and Decimal (what Django's DecimalField yields) are accepted; anything else,
    including bool and None, is a programming error and raises ``TypeError``.
    """
    if isinstance(value, bool) or not isinstance(value, (Real, Decimal)):
        raise TypeError(f"{name} must be a number, got {value!r}")
    try:
        number = float(value)
    except OverflowError:  # an int beyond float range (e.g. 10**400) is not a measurement either
        raise ValueError(f"{name} must be a finite number, got a number too large") from None
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return number


def require_positive(value: float, name: str) -> float:
    """Finite and > 0 (e.g. creatinine: a zero or negative value is a data-entry error)."""
    number = require_finite(value, name)
    if number <= 0:
        raise ValueError(f"{name} must be greater than 0, got {value!r}")
    return number


def require_non_negative(value: float, name: str) -> float:
    """Finite and >= 0 (e.g. UPCR: 0 is a legitimate 'below detection' entry)."""
    number = require_finite(value, name)
    if number < 0:
        raise ValueError(f"{name} must not be negative, got {value!r}")
    return number


def _check_creatinine_unit(unit: str) -> None:
    if unit not in CREATININE_UNITS:
        raise ValueError(
            f"Unknown creatinine unit {unit!r}; expected one of {', '.join(CREATININE_UNITS)}"
        )


def creatinine_to_mg_dl(value: float, unit: str) -> float:
    """Serum creatinine in mg/dL (the unit of CKD-EPI 2021, docs/DOMAIN.md §1.1)."""
    _check_creatinine_unit(unit)
    number = require_positive(value, "Creatinine")
    if unit == CREATININE_UMOL_L:
        return number / CREATININE_UMOL_L_PER_MG_DL
    return number


def creatinine_to_umol_l(value: float, unit: str) -> float:
    """Serum creatinine in µmol/L (the unit of the BILAG-2004 renal items, §4)."""
    _check_creatinine_unit(unit)
    number = require_positive(value, "Creatinine")
    if unit == CREATININE_MG_DL:
        return require_finite(number * CREATININE_UMOL_L_PER_MG_DL, "Creatinine (µmol/L)")  # no overflow to inf
    return number


def upcr_to_g_g(value: float, unit: str) -> float:
    """UPCR in the canonical g/g (docs/DECISIONS.md: units).

    Zero is accepted (a result below the detection limit); negative values are refused.
    """
    if unit not in _UPCR_DIVISOR:
        raise ValueError(f"Unknown UPCR unit {unit!r}; expected one of {', '.join(UPCR_UNITS)}")
    return require_non_negative(value, "UPCR") / _UPCR_DIVISOR[unit]


def upcr_g_g_to_mg_mmol(value_g_g: float) -> float:
    """g/g → mg/mmol, for the BILAG-2004 renal items which are defined in mg/mmol (§4)."""
    return require_finite(require_non_negative(value_g_g, "UPCR") * UPCR_MG_MMOL_PER_G_G, "UPCR (mg/mmol)")


# --- Laboratory units from the hospital's laboratory system (docs/LAB_IMPORT.md "Units") ---
# One home for every unit the lab import meets: spellings as the LIS writes them (Chinese LIS
# exports, UCUM codes in FHIR, HL7 OBX-6) are folded into one canonical token, then converted by
# an exact factor. No factor is guessed: a pair not listed here is "not convertible".

class UnitNotConvertible(ValueError):
    """The unit is unknown, or cannot be turned into the unit the form holds."""


# spelling (lower case, spaces removed) -> canonical token
_SPELLINGS: dict[str, str] = {
    "umol/l": "umol/L", "µmol/l": "umol/L", "μmol/l": "umol/L", "mmol/l": "mmol/L",
    "mg/dl": "mg/dL", "g/l": "g/L", "g/dl": "g/dL", "mg/l": "mg/L",
    "iu/ml": "IU/mL", "[iu]/ml": "IU/mL", "u/ml": "U/mL",
    "u/l": "U/L", "iu/l": "U/L", "[iu]/l": "U/L",
    "10^9/l": "10*9/L", "10*9/l": "10*9/L", "×10^9/l": "10*9/L", "x10^9/l": "10*9/L", "×10⁹/l": "10*9/L",
    "x10e9/l": "10*9/L", "10e9/l": "10*9/L", "g/l(细胞)": "10*9/L",
    "10^3/ul": "10*3/uL", "10*3/ul": "10*3/uL", "k/ul": "10*3/uL", "/nl": "10*3/uL",
    "/hpf": "/HPF", "/[hpf]": "/HPF", "个/hpf": "/HPF", "/ul": "/uL", "个/ul": "/uL",
    "g/24h": "g/24h", "g/(24.h)": "g/24h", "g/d": "g/24h", "mg/24h": "mg/24h", "mg/(24.h)": "mg/24h",
    "g/g": "g/g", "g/g{creat}": "g/g", "mg/mg": "mg/mg", "mg/mg{creat}": "mg/mg", "mg/g": "mg/g",
    "mg/g{creat}": "mg/g", "mg/mmol": "mg/mmol", "mg/mmol{creat}": "mg/mmol",
}

# (from, to) -> exact multiplier. Same-token pairs are identity and need no entry.
_FACTORS: dict[tuple[str, str], Decimal] = {
    ("g/dL", "g/L"): Decimal(10), ("mg/dL", "g/L"): Decimal("0.01"), ("mg/L", "g/L"): Decimal("0.001"),
    ("mmol/L", "umol/L"): Decimal(1000),
    ("10*3/uL", "10*9/L"): Decimal(1),  # 10³/µL = 10⁹/L
    ("mg/mg", "g/g"): Decimal(1), ("mg/24h", "g/24h"): Decimal("0.001"),
}


def canonical_unit(text: str) -> str:
    """The canonical token for a unit as written by the laboratory ('' when none was given);
    UnitNotConvertible when the spelling is unknown."""
    key = (text or "").strip().replace(" ", "").lower()
    if not key:
        return ""
    if key in _SPELLINGS:
        return _SPELLINGS[key]
    raise UnitNotConvertible(f"Unknown unit {text!r}")


def convert_lab_value(value: Decimal, unit: str, target: str) -> Decimal:
    """`value` in `unit` (any known spelling) expressed in `target` (a canonical token)."""
    source = canonical_unit(unit)
    if source == target:
        return value
    factor = _FACTORS.get((source, target))
    if factor is None:
        raise UnitNotConvertible(f"{unit!r} cannot be converted to {target}")
    return value * factor
