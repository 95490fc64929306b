"""Prednisone dose checks (protocol 2.5.2: start 1.0 mg/kg/day, max 80 mg/day, < 5 mg/day by month 6).

docs/PROTOCOL.md: the system records the daily dose over time and flags a dose above the cap or a
month-6 dose at or above 5 mg/day. Flags warn; they do not block saving.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .dosing import validate_weight_kg
from .units import require_non_negative

MAX_MG_PER_KG_DAY = Decimal("1.0")  # protocol 2.5.2: starting dose 1.0 mg/kg/day
MAX_MG_DAY = Decimal(80)  # protocol 2.5.2: maximum 80 mg/day
MONTH6_BELOW_MG_DAY = Decimal(5)  # protocol 2.5.2: tapered to below 5 mg/day by month 6


@dataclass(frozen=True)
class Flag:
    code: str
    message: str  # English; the Django layer translates by code


def prednisone_flags(dose_mg_day: float, weight_kg: float, at_month6: bool) -> list[Flag]:
    """Flags for a daily prednisone dose; an empty list means the dose is within protocol."""
    dose = Decimal(str(require_non_negative(dose_mg_day, "Prednisone dose (mg/day)")))
    weight = Decimal(str(validate_weight_kg(weight_kg)))
    flags: list[Flag] = []
    per_kg_cap = MAX_MG_PER_KG_DAY * weight
    if dose > per_kg_cap:
        flags.append(
            Flag(
                "above_1_mg_per_kg",
                f"Dose {dose} mg/day exceeds 1.0 mg/kg/day ({per_kg_cap} mg/day for {weight} kg).",
            )
        )
    if dose > MAX_MG_DAY:
        flags.append(Flag("above_80_mg_day", f"Dose {dose} mg/day exceeds the 80 mg/day maximum."))
    if at_month6 and dose >= MONTH6_BELOW_MG_DAY:
        flags.append(
            Flag(
                "month6_not_below_5_mg_day",
                f"Dose {dose} mg/day at month 6 is not below 5 mg/day.",
            )
        )
    return flags
