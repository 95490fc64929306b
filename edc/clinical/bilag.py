"""BILAG-2004 renal system grade A–E (docs/DOMAIN.md §4, glossary wording).

The assessment compares the last 4 weeks with the previous 4 weeks; ``*_previous`` fields hold
the earlier value (None = not measured). The UK JSLE "LEGACY" quirks (0.4999/49.99 thresholds,
category C requiring no fall) are deliberately NOT reproduced (§4).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .units import require_non_negative

GRADE_SCORES: dict[str, int] = {"A": 12, "B": 8, "C": 1, "D": 0, "E": 0}  # §4, Yee 2007 [S29]


_YES_NO_FIELDS = frozenset(
    {
        "accelerated_hypertension",
        "nephrotic_syndrome",
        "active_urinary_sediment",
        "histological_active_nephritis",
        "previous_renal_involvement",
    }
)


@dataclass(frozen=True)
class BilagRenalInput:
    systolic_bp: float | None = None
    systolic_bp_previous: float | None = None
    diastolic_bp: float | None = None
    diastolic_bp_previous: float | None = None
    accelerated_hypertension: bool = False
    dipstick_protein: int | None = None  # 0 = negative/trace, 1 = +, 2 = ++, 3 = +++
    dipstick_protein_previous: int | None = None
    uacr_mg_mmol: float | None = None
    uacr_mg_mmol_previous: float | None = None
    upcr_mg_mmol: float | None = None
    upcr_mg_mmol_previous: float | None = None
    urine_protein_24h_g: float | None = None
    urine_protein_24h_g_previous: float | None = None
    nephrotic_syndrome: bool = False
    creatinine_umol_l: float | None = None
    creatinine_umol_l_previous: float | None = None
    gfr: float | None = None
    gfr_previous: float | None = None
    active_urinary_sediment: bool = False
    histological_active_nephritis: bool = False  # within the last 3 months
    previous_renal_involvement: bool = False

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if name in _YES_NO_FIELDS:
                if not isinstance(value, bool):
                    raise TypeError(f"{name} must be True or False, got {value!r}")
            elif value is None:
                continue
            elif name.startswith("dipstick"):
                if isinstance(value, bool) or value not in (0, 1, 2, 3):
                    raise ValueError(f"{name} must be 0, 1, 2 or 3 (+ to +++), got {value!r}")
            else:  # measurements: finite, ≥ 0, normalised to float (Decimal from forms allowed)
                object.__setattr__(self, name, require_non_negative(value, name))


@dataclass(frozen=True)
class BilagFeature:
    code: str
    reason: str  # English, for the UI's "why this grade"


@dataclass(frozen=True)
class BilagRenalResult:
    grade: str
    features: tuple[BilagFeature, ...]  # the features that decided the grade

    @property
    def score(self) -> int:
        return bilag_numeric_score(self.grade)


def bilag_numeric_score(grade: str) -> int:
    """A=12, B=8, C=1, D=E=0 (§4, numeric conversion for BILAG-2004 global scores)."""
    if grade not in GRADE_SCORES:
        raise ValueError(f"BILAG grade must be one of A-E, got {grade!r}")
    return GRADE_SCORES[grade]


def _d(x: float) -> Decimal:
    return Decimal(str(x))  # exact decimal of the value as entered: 25 %/30 % edges are exact


def _not_improved(now: float, previous: float | None) -> bool:
    """Glossary: 'has not decreased (improved) by ≥ 25 %'; no previous value = not improved."""
    return previous is None or _d(now) > Decimal("0.75") * _d(previous)


def _quantitative(i: BilagRenalInput) -> list[tuple[str, float, float | None, float, str]]:
    """(name, now, previous, A threshold in that unit, unit) for the measured quantitative items."""
    items = [
        ("24-h urine protein", i.urine_protein_24h_g, i.urine_protein_24h_g_previous, 1.0, "g"),
        ("UPCR", i.upcr_mg_mmol, i.upcr_mg_mmol_previous, 100.0, "mg/mmol"),
        ("UACR", i.uacr_mg_mmol, i.uacr_mg_mmol_previous, 100.0, "mg/mmol"),
    ]
    return [(n, now, prev, a, u) for n, now, prev, a, u in items if now is not None]


def _proteinuria(i: BilagRenalInput, level: str) -> list[str]:
    """Reasons meeting proteinuria at ``level`` A (severe), B (moderate) or C (mild)."""
    reasons: list[str] = []
    quantitative = _quantitative(i)
    for name, now, prev, a_threshold, unit in quantitative:
        # B/C thresholds are 1/2 and 1/4 of A: 24-h 0.5/0.25 g, ratios 50/25 mg/mmol (§4).
        if level == "A" and _d(now) > _d(a_threshold) and _not_improved(now, prev):
            reasons.append(f"{name} {now:g} {unit} > {a_threshold:g} and not improved by ≥25%")
        if level == "B" and _d(now) >= _d(a_threshold) / 2 and _not_improved(now, prev):
            reasons.append(f"{name} {now:g} {unit} ≥ {a_threshold / 2:g} and not improved by ≥25%")
        if level == "C" and _d(now) > _d(a_threshold) / 4:
            reasons.append(f"{name} {now:g} {unit} > {a_threshold / 4:g}")
    # §4: dipstick only when no quantitative measure is available.
    now, prev = i.dipstick_protein, i.dipstick_protein_previous
    if quantitative or now is None:
        return reasons
    rise = None if prev is None else now - prev
    if level == "A" and rise is not None and rise >= 2:
        reasons.append(f"dipstick protein risen {rise} levels ({prev}+ → {now}+)")
    if level == "B" and rise is not None and rise >= 1 and now >= 2:
        reasons.append(f"dipstick protein risen to {now}+ from {prev}+")
    if level == "C" and now >= 1:
        reasons.append(f"dipstick protein {now}+")
    return reasons


def _renal_function_severe(i: BilagRenalInput) -> list[str]:
    reasons: list[str] = []
    cr, cr_prev = i.creatinine_umol_l, i.creatinine_umol_l_previous
    if (
        cr is not None
        and cr_prev is not None
        and cr > 130
        and _d(cr) >= Decimal("1.30") * _d(cr_prev)
    ):
        reasons.append(f"creatinine {cr:g} µmol/L > 130 and ≥130% of previous {cr_prev:g}")
    gfr, gfr_prev = i.gfr, i.gfr_previous
    if (
        gfr is not None
        and gfr_prev is not None
        and gfr < 80
        and _d(gfr) <= Decimal("0.67") * _d(gfr_prev)
    ):
        reasons.append(f"GFR {gfr:g} < 80 and ≤67% of previous {gfr_prev:g}")
    if gfr is not None and gfr < 50 and (gfr_prev is None or gfr_prev > 50):
        was = "not measured" if gfr_prev is None else f"{gfr_prev:g}"
        reasons.append(f"GFR {gfr:g} < 50, previously > 50 or not measured ({was})")
    return reasons


def _creatinine_rise_moderate(i: BilagRenalInput) -> list[str]:
    cr, prev = i.creatinine_umol_l, i.creatinine_umol_l_previous
    if cr is None or prev is None or cr <= 130:
        return []
    # Multiply instead of dividing so the 115 % / 130 % edges are exact in Decimal.
    if Decimal("1.15") * _d(prev) <= _d(cr) < Decimal("1.30") * _d(prev):
        return [f"creatinine {cr:g} µmol/L > 130 and 115–<130% of previous {prev:g}"]
    return []


def _bp_rise(i: BilagRenalInput) -> list[str]:
    """§4 C: systolic > 140 with rise ≥ 30 AND diastolic > 90 with rise ≥ 15 mmHg."""
    s, sp, d, dp = i.systolic_bp, i.systolic_bp_previous, i.diastolic_bp, i.diastolic_bp_previous
    if None in (s, sp, d, dp):
        return []
    if s > 140 and s - sp >= 30 and d > 90 and d - dp >= 15:
        return [f"BP {s:g}/{d:g} mmHg risen from {sp:g}/{dp:g}"]
    return []


def bilag_renal_grade(i: BilagRenalInput) -> BilagRenalResult:
    """Grade per §4: A = ≥2 A-features including #1, #4 or #5; B = one A-feature, moderate
    proteinuria or creatinine 115–<130 %; C = mild proteinuria or BP rise; D = previous
    involvement only; E = never involved."""
    a_items = [  # (item number in the glossary list, code, reasons)
        (1, "proteinuria_severe", _proteinuria(i, "A")),
        (
            2,
            "accelerated_hypertension",
            ["accelerated hypertension"] if i.accelerated_hypertension else [],
        ),
        (3, "renal_function_severe", _renal_function_severe(i)),
        (
            4,
            "active_urinary_sediment",
            ["active urinary sediment"] if i.active_urinary_sediment else [],
        ),
        (
            5,
            "histological_active_nephritis",
            ["histological active nephritis within 3 months"]
            if i.histological_active_nephritis
            else [],
        ),
        (6, "nephrotic_syndrome", ["nephrotic syndrome"] if i.nephrotic_syndrome else []),
    ]
    a_met = [(n, BilagFeature(code, "; ".join(r))) for n, code, r in a_items if r]
    if len(a_met) >= 2 and any(n in (1, 4, 5) for n, _ in a_met):
        return BilagRenalResult("A", tuple(f for _, f in a_met))
    b_features = [f for _, f in a_met]  # glossary B1: any single category-A item
    severe_protein = any(f.code == "proteinuria_severe" for f in b_features)
    for code, reasons in (
        ("proteinuria_moderate", [] if severe_protein else _proteinuria(i, "B")),
        ("creatinine_rise_moderate", _creatinine_rise_moderate(i)),
    ):
        if reasons:
            b_features.append(BilagFeature(code, "; ".join(reasons)))
    if b_features:
        return BilagRenalResult("B", tuple(b_features))
    c_features = [
        BilagFeature(code, "; ".join(reasons))
        for code, reasons in (("proteinuria_mild", _proteinuria(i, "C")), ("bp_rise", _bp_rise(i)))
        if reasons
    ]
    if c_features:
        return BilagRenalResult("C", tuple(c_features))
    if i.previous_renal_involvement:
        return BilagRenalResult(
            "D", (BilagFeature("previous_involvement", "previous renal involvement, none now"),)
        )
    return BilagRenalResult(
        "E", (BilagFeature("never_involved", "no current or previous renal involvement"),)
    )
