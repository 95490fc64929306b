"""The plausibility table: for every measured quantity the EDC accepts, a hard range (outside it the
value is physiologically impossible or cannot be what was meant: refused) and a soft range (outside
it the value is unusual enough to be checked: a warning the user acknowledges, recorded as an
automatic query). Both ends, in the quantity's canonical unit; every other unit a value might be typed
in is declared with its exact conversion, so the ranges of each unit follow from one declaration and a
value that would be usual in another unit is named as such ("looks like mg/dL").

Pure Python, no Django: the forms (crf.services.plausibility), the eligibility service and any
importer call `check()`. The sources of each range are listed with it and in docs/DATA_QUALITY.md
"The plausibility table". Soft ranges are deliberately wider than the clinical flags the forms raise
on their own (stage-2 hypertension, fever, eGFR fall...): they catch typing and unit slips, not disease.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

from .units import CREATININE_UMOL_L_PER_MG_DL, UPCR_MG_MMOL_PER_G_G

HARD, SOFT = "hard", "soft"


@dataclass(frozen=True)
class Unit:
    """`canonical = value × scale + offset` (offset only for °F)."""
    code: str
    scale: float = 1.0
    offset: float = 0.0
    offered: bool = True  # False: never offered by a form, declared only to recognise a unit slip

    def to_canonical(self, value: float) -> float:
        return value * self.scale + self.offset

    def from_canonical(self, value: float) -> float:
        return (value - self.offset) / self.scale


@dataclass(frozen=True)
class Quantity:
    key: str
    label: str  # English; the Django layer shows the form field's translated label
    canonical: str
    hard: tuple[float, float]  # in the canonical unit, inclusive
    soft: tuple[float, float]
    units: tuple[Unit, ...]
    source: str
    # Delta check against the participant's own previous value (soft): fold change (e.g. 3.0 = ×3 or
    # ÷3) or relative change (0.10 = ±10 %) within `delta_days` (None = any interval).
    delta_fold: float | None = None
    delta_fraction: float | None = None
    delta_days: int | None = None
    integer: bool = field(default=False)

    def unit(self, code: str) -> Unit:
        for u in self.units:
            if u.code == code:
                return u
        raise ValueError(f"{self.key}: unknown unit {code!r}; expected one of "
                         f"{', '.join(u.code for u in self.units)}")

    def limits(self, unit: str, which: str = HARD) -> tuple[float, float]:
        """The hard or soft range expressed in `unit` (for messages and the docs table)."""
        u = self.unit(unit)
        low, high = self.hard if which == HARD else self.soft
        a, b = u.from_canonical(low), u.from_canonical(high)
        return (min(a, b), max(a, b))


def _u(code: str, scale: float = 1.0, offset: float = 0.0, offered: bool = True) -> Unit:
    return Unit(code, scale, offset, offered)


CR = CREATININE_UMOL_L_PER_MG_DL
MMOL = UPCR_MG_MMOL_PER_G_G
LAB = ("Adult reference intervals: WS/T 404 (China, 2012-2015) and Tietz Clinical Guide to Laboratory "
       "Tests (4th ed.); hard limits: values beyond those reported in survivable disease.")

QUANTITIES: dict[str, Quantity] = {q.key: q for q in (
    # Laboratory panel (protocol 2.6)
    Quantity("creatinine", "Serum creatinine", "umol/L", hard=(10, 2500), soft=(30, 600),
             units=(_u("umol/L"), _u("mg/dL", CR)), delta_fold=3.0,
             source="Reference 41-111 µmol/L (WS/T 404.5-2015); 88.4 µmol/L = 1 mg/dL (docs/DOMAIN.md "
                    "§1.2). Below 10 µmol/L no muscle mass produces it; KDIGO AKI stage 3 = ×3 rise."),
    Quantity("upcr", "Urine protein/creatinine ratio", "g/g", hard=(0, 40), soft=(0.02, 15),
             units=(_u("g/g"), _u("mg/mg"), _u("mg/mmol", 1 / MMOL), _u("mg/g", 1 / 1000)),
             source="Normal < 0.15 g/g (KDIGO 2024 LN); nephrotic ≥ 3.5 g/g; 1 g/g = 113.12 mg/mmol "
                    "(docs/DOMAIN.md §2.1). Above 40 g/g has not been reported."),
    Quantity("urine_protein_24h", "24-hour urine protein", "g", hard=(0, 40), soft=(0.02, 20),
             units=(_u("g"), _u("mg", 1 / 1000, offered=False)),
             source="Normal < 0.15 g/24 h; nephrotic ≥ 3.5 g/24 h (KDIGO 2024)."),
    Quantity("albumin", "Serum albumin", "g/L", hard=(8, 70), soft=(15, 55),
             units=(_u("g/L"), _u("g/dL", 10, offered=False)),
             source=f"Reference 40-55 g/L (WS/T 404.2). {LAB}"),
    Quantity("haemoglobin", "Haemoglobin", "g/L", hard=(30, 230), soft=(60, 190),
             units=(_u("g/L"), _u("g/dL", 10, offered=False)), delta_fraction=0.4, delta_days=31,
             source=f"Reference F 115-150, M 130-175 g/L (WS/T 405-2012). {LAB}"),
    Quantity("c3", "Complement C3", "g/L", hard=(0, 6), soft=(0.1, 2.5),
             units=(_u("g/L"), _u("mg/dL", 0.01, offered=False)),
             source=f"Reference 0.9-1.8 g/L (central laboratory). {LAB}"),
    Quantity("c4", "Complement C4", "g/L", hard=(0, 2), soft=(0.02, 0.8),
             units=(_u("g/L"), _u("mg/dL", 0.01, offered=False)),
             source=f"Reference 0.1-0.4 g/L (central laboratory). {LAB}"),
    Quantity("anti_dsdna", "Anti-dsDNA", "IU/mL", hard=(0, 10000), soft=(0, 1000),
             units=(_u("IU/mL"),), source="Assay-dependent; normal < 100 IU/mL (central laboratory). "
                                          "Above 1000 IU/mL is beyond most assays' reportable range."),
    Quantity("wbc", "White blood cells", "10^9/L", hard=(0.1, 150), soft=(1.5, 25),
             units=(_u("10^9/L"), _u("/uL", 0.001, offered=False)),
             source=f"Reference 3.5-9.5 ×10⁹/L (WS/T 405-2012); 1 ×10⁹/L = 1000/µL. {LAB}"),
    Quantity("platelets", "Platelets", "10^9/L", hard=(1, 2000), soft=(30, 700),
             units=(_u("10^9/L"), _u("/uL", 0.001, offered=False)),
             source=f"Reference 125-350 ×10⁹/L (WS/T 405-2012). {LAB}"),
    Quantity("alt", "ALT", "U/L", hard=(0, 10000), soft=(3, 300), units=(_u("U/L"),),
             source=f"Reference 7-40 U/L (WS/T 404.1). {LAB}"),
    Quantity("ast", "AST", "U/L", hard=(0, 10000), soft=(5, 300), units=(_u("U/L"),),
             source=f"Reference 13-35 U/L (WS/T 404.1). {LAB}"),
    Quantity("urine_cells_hpf", "Urine cells per high-power field", "/HPF", hard=(0, 1000),
             soft=(0, 100), units=(_u("/HPF"),),
             source="Normal ≤ 5/HPF (SLEDAI-2K haematuria/pyuria threshold, docs/DOMAIN.md §3); "
                    "above 100/HPF is reported as 'too numerous to count'."),
    # Vital signs
    Quantity("systolic_bp", "Systolic blood pressure", "mmHg", hard=(50, 280), soft=(70, 220),
             units=(_u("mmHg"), _u("kPa", 7.50062, offered=False)), integer=True,
             source="Adult physiology (Guyton & Hall); 2018 Chinese hypertension guideline grades."),
    Quantity("diastolic_bp", "Diastolic blood pressure", "mmHg", hard=(20, 180), soft=(40, 130),
             units=(_u("mmHg"), _u("kPa", 7.50062, offered=False)), integer=True,
             source="Adult physiology (Guyton & Hall); 2018 Chinese hypertension guideline grades."),
    Quantity("heart_rate", "Heart rate", "/min", hard=(20, 250), soft=(40, 150), units=(_u("/min"),),
             integer=True, source="Adult resting rate 60-100/min (AHA)."),
    Quantity("temperature", "Body temperature", "°C", hard=(30, 45), soft=(35, 41),
             units=(_u("°C"), _u("°F", 5 / 9, -32 * 5 / 9, offered=False)),
             source="Core temperature; below 30 °C or above 45 °C is not compatible with a clinic visit."),
    Quantity("weight", "Body weight", "kg", hard=(25, 250), soft=(35, 150),
             units=(_u("kg"), _u("lb", 0.45359237, offered=False)), delta_fraction=0.10,
             source="Adult participants, protocol 2.2 (age 18-65); 1 lb = 0.45359237 kg."),
    Quantity("height", "Height", "cm", hard=(100, 230), soft=(140, 200),
             units=(_u("cm"), _u("m", 100, offered=False), _u("in", 2.54, offered=False)),
             source="Adult height (China Health and Nutrition Survey 1st-99th centile 145-185 cm)."),
    # Treatment
    Quantity("prednisone_dose", "Prednisone dose", "mg/day", hard=(0.5, 200), soft=(1, 200),
             units=(_u("mg/day"),),
             source="Protocol 2.5.2: start 1.0 mg/kg/day, at most 80 mg/day (the form warns above "
                    "it and above 1 mg/kg); pulse steroids are IV methylprednisolone, never this log."),
    Quantity("infusion_volume", "Volume infused", "mL", hard=(1, 150), soft=(1, 150), units=(_u("mL"),),
             integer=True, source="Protocol 2.5: the whole 100 mL bag (the form warns on any other "
                                  "volume); above 150 mL cannot come from one bag."),
    Quantity("cell_count", "Cells in the bag", "cells", hard=(1e6, 1e9), soft=(1.25e7, 3.75e8),
             units=(_u("cells"), _u("10^6 cells", 1e6, offered=False)),
             source="Protocol 2.5.2: 1×10⁶ cells/kg for 25-250 kg (the plausibility weight range), ±50 %; "
                    "the pharmacy service checks the count against the participant's own dose."),
    Quantity("viability", "Cell viability", "%", hard=(0, 100), soft=(70, 100), units=(_u("%"),),
             source="Release criterion for cell products: ≥ 70 % viable (ISCT)."),
    # Biospecimens (protocol 2.12)
    Quantity("tubes", "Number of tubes", "tubes", hard=(1, 20), soft=(1, 20), units=(_u("tubes"),),
             integer=True, source="Protocol 2.12 collection: a few blood and urine tubes per visit."),
    Quantity("storage_temp", "Storage temperature", "°C", hard=(-200, 30), soft=(-200, 30),
             units=(_u("°C"),), source="Liquid nitrogen (−196 °C) to room temperature; protocol 2.12 "
                                       "stores at −80 °C (the form warns above −70 °C)."),
    # Scores entered as numbers
    Quantity("nih_component", "NIH component score", "score", hard=(0, 3), soft=(0, 3),
             units=(_u("score"),), integer=True, source="Bajema 2018 (docs/DOMAIN.md §5.2): 0-3."),
    Quantity("dipstick", "Urine dipstick protein", "grade", hard=(0, 3), soft=(0, 3), units=(_u("grade"),),
             integer=True, source="Dipstick grades 0 (negative or trace) to 3+ (BILAG-2004, docs/DOMAIN.md §4)."),
    Quantity("sledai_window", "SLEDAI-2K scoring window", "days", hard=(1, 90), soft=(1, 90),
             units=(_u("days"),), integer=True,
             source="SLEDAI-2K is validated for 30 days (Touma 2010; the form warns on any other window), "
                    "the original for 10 days (Gladman 2002)."),
    Quantity("acr_criteria", "Revised ACR criteria met", "criteria", hard=(0, 11), soft=(0, 11),
             units=(_u("criteria"),), integer=True, source="Revised ACR 1997 criteria: 11 in all."),
)}


@dataclass(frozen=True)
class Finding:
    level: str  # HARD or SOFT
    quantity: Quantity
    value: float
    unit: str
    low: float  # the broken range, in the entered unit
    high: float
    likely_units: tuple[tuple[str, float], ...] = ()  # (unit, the value it gives in the entered unit)
    likely_value: float | None = None  # a misplaced decimal point: the value ×10 or ÷10 that is usual

    @property
    def below(self) -> bool:
        return self.value < self.low


def _inside(value: float, bounds: tuple[float, float]) -> bool:
    return bounds[0] <= value <= bounds[1]


def _likely_units(q: Quantity, value: float, entered: Unit) -> tuple[tuple[str, float], ...]:
    """Other units in which the typed number would be usual (inside the soft range)."""
    found = []
    for other in q.units:
        if other.code == entered.code:
            continue
        canonical = other.to_canonical(value)
        if _inside(canonical, q.soft):
            found.append((other.code, entered.from_canonical(canonical)))
    return tuple(found)


def check(key: str, value: float | Decimal, unit: str | None = None) -> Finding | None:
    """None when `value` (in `unit`, default the canonical one) is inside the soft range; otherwise
    the broken range (hard before soft) with the units or decimal slip that would make it usual."""
    q = QUANTITIES[key]
    entered = q.unit(unit or q.canonical)
    number = float(value)
    if not math.isfinite(number):  # beyond any float: impossible, and nothing to suggest
        return Finding(HARD, q, number, entered.code, *q.limits(entered.code, HARD))
    canonical = entered.to_canonical(number)
    if _inside(canonical, q.soft):
        return None
    level = SOFT if _inside(canonical, q.hard) else HARD
    low, high = q.limits(entered.code, level)
    likely = _likely_units(q, number, entered)
    slip = None
    if not likely:
        for candidate in (number / 10, number * 10, number / 100, number * 100):
            if not math.isfinite(candidate) or (q.integer and candidate != int(candidate)):
                continue
            if _inside(entered.to_canonical(candidate), q.soft):
                slip = candidate
                break
    return Finding(level, q, number, entered.code, low, high, likely, slip)


def delta_finding(key: str, previous_canonical: float, now_canonical: float, days: int) -> str | None:
    """"fold" or "fraction" when the change since the participant's previous value breaks the
    quantity's delta rule within its interval; None otherwise (or when it has no delta rule)."""
    q = QUANTITIES[key]
    if previous_canonical <= 0 or now_canonical <= 0:
        return None
    if q.delta_days is not None and days > q.delta_days:
        return None
    ratio = now_canonical / previous_canonical
    if q.delta_fold and (ratio >= q.delta_fold or ratio <= 1 / q.delta_fold):
        return "fold"
    if q.delta_fraction and abs(ratio - 1) > q.delta_fraction:
        return "fraction"
    return None


def table_rows() -> list[tuple[str, str, tuple[float, float], tuple[float, float], str]]:
    """(quantity, unit, hard range, soft range, source) for every unit: the docs table."""
    return [(q.label, u.code, q.limits(u.code, HARD), q.limits(u.code, SOFT), q.source)
            for q in QUANTITIES.values() for u in q.units]
