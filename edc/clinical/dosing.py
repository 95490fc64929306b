"""uc-MSC dose and infusion duration (protocol 2.5: 1×10⁶ cells/kg in 100 mL saline, IV over > 30 min)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from .plausibility import QUANTITIES
from .units import require_finite

MSC_CELLS_PER_KG = 1_000_000  # protocol 2.5: 1 × 10⁶ cells/kg body weight
INFUSION_VOLUME_ML = (
    100  # protocol 2.5: resuspended in 100 mL normal saline (placebo: 100 mL saline)
)
MIN_INFUSION_MINUTES = 30  # protocol 2.5: "over more than 30 minutes" (strictly more)
# Plausibility guard for adult participants (protocol 2.2: age 18–65): the plausibility table's hard range.
WEIGHT_KG_RANGE: tuple[float, float] = tuple(float(x) for x in QUANTITIES["weight"].hard)


def validate_weight_kg(weight_kg: float) -> float:
    """Body weight in kg within ``WEIGHT_KG_RANGE`` (inclusive), else ValueError."""
    weight = require_finite(weight_kg, "Body weight (kg)")
    low, high = WEIGHT_KG_RANGE
    if not low <= weight <= high:
        raise ValueError(
            f"Body weight {weight:g} kg is outside the plausible range {low:g}-{high:g} kg"
        )
    return weight


def msc_total_cells(weight_kg: float) -> int:
    """Total uc-MSC cells for one infusion: 1×10⁶ × weight, rounded half-up to a whole cell.

    Decimal keeps e.g. 62.35 kg → exactly 62 350 000 (float would give 62 349 999.99…).
    """
    weight = Decimal(str(validate_weight_kg(weight_kg)))
    return int((weight * MSC_CELLS_PER_KG).to_integral_value(rounding=ROUND_HALF_UP))


def infusion_duration_ok(start: datetime, end: datetime) -> bool:
    """True when the infusion lasted strictly more than 30 minutes; ValueError if end < start."""
    if end < start:
        raise ValueError(f"Infusion end {end.isoformat()} is before its start {start.isoformat()}")
    return end - start > timedelta(minutes=MIN_INFUSION_MINUTES)
