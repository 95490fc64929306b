"""KDIGO 2024 renal response against the month-0 baseline (primary endpoint, protocol 1.2/2.6).

docs/DECISIONS.md: renal response — complete = UPCR < 0.5 g/g and eGFR ≥ (1 − tol) × baseline;
partial = not complete, UPCR fell ≥ 50 % and is < 3.0 g/g, same eGFR condition; otherwise none.
Tolerance default 0.15 (KDIGO gives a 10–15 % band, docs/DOMAIN.md §2.1).

Exactness: every comparison is done in ``Decimal`` on the shortest decimal form of each float
(``str(x)``), i.e. on the numbers as entered/stored, without division. So baseline 3.3 → 1.65 is
exactly a 50 % reduction and counts, and eGFR 85 vs 0.85 × 100 is exactly on the limit and counts.
Round UPCR to its stored precision before calling (a value derived from mg/mmol may carry float
noise in its last digits).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from .units import require_finite, require_non_negative, require_positive

CR_UPCR_BELOW_G_G = Decimal("0.5")  # §2.1: UPCR < 0.5 g/g; exactly 0.5 is not CR
PR_UPCR_BELOW_G_G = Decimal("3.0")  # §2.1: UPCR < 3 g/g; exactly 3.0 is not PR
PR_MIN_REDUCTION = Decimal("0.5")  # §2.1: ≥ 50 % reduction; exactly 50 % counts
DEFAULT_TOLERANCE = 0.15  # docs/DECISIONS.md: renal response


class ResponseCategory(StrEnum):  # str() and f-strings give "complete" etc.
    COMPLETE = "complete"
    PARTIAL = "partial"
    NONE = "none"


@dataclass(frozen=True)
class ResponseResult:
    category: ResponseCategory
    upcr_reduction_pct: float  # (baseline − now) / baseline × 100; negative if UPCR rose
    egfr_ratio: float  # now / baseline
    egfr_stable: bool  # eGFR ≥ (1 − tolerance) × baseline
    rules: tuple[str, ...]  # human-readable lines explaining the decision

    @property
    def responded(self) -> bool:
        """Overall renal response = complete + partial (primary endpoint, protocol 1.2)."""
        return self.category in (ResponseCategory.COMPLETE, ResponseCategory.PARTIAL)


def _d(x: float) -> Decimal:
    return Decimal(str(x))


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def renal_response(
    baseline_upcr_g_g: float,
    baseline_egfr: float,
    upcr_g_g: float,
    egfr: float,
    tolerance: float = DEFAULT_TOLERANCE,
) -> ResponseResult:
    """Classify complete / partial / no renal response (KDIGO 2024, docs/DECISIONS.md)."""
    base_upcr = _d(require_positive(baseline_upcr_g_g, "Baseline UPCR (g/g)"))
    base_egfr = _d(require_positive(baseline_egfr, "Baseline eGFR"))
    upcr = _d(require_non_negative(upcr_g_g, "UPCR (g/g)"))
    now_egfr = _d(require_non_negative(egfr, "eGFR"))
    tol = require_non_negative(tolerance, "Tolerance")
    if tol >= 1:
        raise ValueError(f"Tolerance must be a fraction below 1 (e.g. 0.15), got {tolerance!r}")

    egfr_limit = (1 - _d(tol)) * base_egfr
    egfr_stable = now_egfr >= egfr_limit
    below_cr = upcr < CR_UPCR_BELOW_G_G
    below_pr = upcr < PR_UPCR_BELOW_G_G
    # reduction ≥ 50 %  ⇔  upcr ≤ (1 − 0.5) × baseline: no division, exact at the edge.
    halved = upcr <= (1 - PR_MIN_REDUCTION) * base_upcr
    # A finite pair can still give a ratio beyond float range (baseline 5e-324): refused, not ±inf.
    reduction_pct = require_finite(float((base_upcr - upcr) / base_upcr * 100), "UPCR reduction (%)")
    egfr_ratio = require_finite(float(now_egfr / base_egfr), "eGFR / baseline eGFR")

    rules = [
        (
            f"eGFR {egfr:g} ≥ {(1 - tol) * 100:g}% of baseline {baseline_egfr:g}"
            f" (limit {float(egfr_limit):g}): {_yes(egfr_stable)}"
        ),
        f"UPCR {upcr_g_g:g} g/g < 0.5 g/g: {_yes(below_cr)}",
        (
            f"UPCR reduction {reduction_pct:.1f}% from baseline {baseline_upcr_g_g:g} g/g ≥ 50%:"
            f" {_yes(halved)}"
        ),
        f"UPCR {upcr_g_g:g} g/g < 3.0 g/g: {_yes(below_pr)}",
    ]
    if below_cr and egfr_stable:
        category = ResponseCategory.COMPLETE
        rules.append("Complete response: UPCR < 0.5 g/g with stable eGFR")
    elif halved and below_pr and egfr_stable:
        category = ResponseCategory.PARTIAL
        rules.append("Partial response: UPCR fell ≥ 50% to < 3.0 g/g with stable eGFR")
    else:
        category = ResponseCategory.NONE
        rules.append("No renal response: criteria for complete or partial response not met")
    return ResponseResult(
        category=category,
        upcr_reduction_pct=reduction_pct,
        egfr_ratio=egfr_ratio,
        egfr_stable=egfr_stable,
        rules=tuple(rules),
    )
