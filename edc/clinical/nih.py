"""ISN/RPS classes and the modified NIH activity/chronicity indices (Bajema 2018, docs/DOMAIN.md §5).

Never add AI and CI together; the 2018 indices are not interchangeable with the 1984 NIH indices (§5.2).
"""

from __future__ import annotations

from .units import require_finite

# §5.1 (ISN/RPS 2003, revised 2018); mixed membranous classes are diagnosed as "III+V"/"IV+V".
ISN_RPS_CLASSES: tuple[str, ...] = ("I", "II", "III", "IV", "V", "VI", "III+V", "IV+V")
# Protocol 2.2 inclusion 3: biopsy-proven active LN class III, IV, V, III+V or IV+V.
ELIGIBLE_BIOPSY_CLASSES: frozenset[str] = frozenset({"III", "IV", "V", "III+V", "IV+V"})

# §5.2 weights; each component is scored 0–3.
ACTIVITY_WEIGHTS: dict[str, int] = {
    "endocapillary_hypercellularity": 1,
    "neutrophils_karyorrhexis": 1,
    "fibrinoid_necrosis": 2,
    "hyaline_deposits": 1,  # wire loops and/or hyaline thrombi
    "cellular_fibrocellular_crescents": 2,
    "interstitial_inflammation": 1,
}
CHRONICITY_WEIGHTS: dict[str, int] = {
    "total_glomerulosclerosis": 1,  # global + segmental
    "fibrous_crescents": 1,
    "tubular_atrophy": 1,
    "interstitial_fibrosis": 1,
}
MAX_ACTIVITY = 3 * sum(ACTIVITY_WEIGHTS.values())  # 24
MAX_CHRONICITY = 3 * sum(CHRONICITY_WEIGHTS.values())  # 12


def component_score_from_percent(percent: float) -> int:
    """§5.2: 0 absent, 1 < 25 %, 2 25–50 %, 3 > 50 % (of glomeruli, or of cortex for tubulointerstitial)."""
    value = require_finite(percent, "Percentage")
    if not 0 <= value <= 100:
        raise ValueError(f"Percentage must be between 0 and 100, got {percent!r}")
    if value == 0:
        return 0
    if value < 25:
        return 1
    return 2 if value <= 50 else 3


def _weighted(scores: dict[str, int], weights: dict[str, int], index: str) -> int:
    unknown = sorted(set(scores) - set(weights))
    missing = sorted(set(weights) - set(scores))
    if unknown or missing:
        raise ValueError(f"{index}: unknown components {unknown}, missing components {missing}")
    for name, score in scores.items():
        if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 3:
            raise ValueError(f"{index} component {name} must be an integer 0-3, got {score!r}")
    return sum(weights[name] * score for name, score in scores.items())


def nih_activity_index(
    *,
    endocapillary_hypercellularity: int,
    neutrophils_karyorrhexis: int,
    fibrinoid_necrosis: int,
    hyaline_deposits: int,
    cellular_fibrocellular_crescents: int,
    interstitial_inflammation: int,
) -> int:
    """Modified NIH activity index, 0–24 (necrosis and cellular/fibrocellular crescents × 2)."""
    return _weighted(
        {
            "endocapillary_hypercellularity": endocapillary_hypercellularity,
            "neutrophils_karyorrhexis": neutrophils_karyorrhexis,
            "fibrinoid_necrosis": fibrinoid_necrosis,
            "hyaline_deposits": hyaline_deposits,
            "cellular_fibrocellular_crescents": cellular_fibrocellular_crescents,
            "interstitial_inflammation": interstitial_inflammation,
        },
        ACTIVITY_WEIGHTS,
        "Activity index",
    )


def nih_chronicity_index(
    *,
    total_glomerulosclerosis: int,
    fibrous_crescents: int,
    tubular_atrophy: int,
    interstitial_fibrosis: int,
) -> int:
    """Modified NIH chronicity index, 0–12 (all components × 1)."""
    return _weighted(
        {
            "total_glomerulosclerosis": total_glomerulosclerosis,
            "fibrous_crescents": fibrous_crescents,
            "tubular_atrophy": tubular_atrophy,
            "interstitial_fibrosis": interstitial_fibrosis,
        },
        CHRONICITY_WEIGHTS,
        "Chronicity index",
    )
