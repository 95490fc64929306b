"""What the lab panel form (crf.models.labs.LabPanel) can hold, and how a reported result becomes
a value there. Pure: no Django beyond marking its explanations for translation (gettext_noop, labs.explain;
docs/ARCHITECTURE.md "Style"), so parsers, staging and the benchmark share it.

LOINC defaults (docs/LAB_IMPORT.md "LOINC defaults"): each code is the LOINC term whose component,
property and system match the form's field; none is invented. eGFR is computed by the form from the
creatinine (CKD-EPI 2021), so an eGFR sent by the laboratory is not imported.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_noop

from labs.explain import explain


@dataclass(frozen=True)
class AnalyteDef:
    field: str  # LabPanel field that receives the value
    unit: str  # canonical unit the field holds (edc.clinical.units); "" for a category
    loinc: tuple[str, ...]
    local: tuple[str, ...]  # default local codes of the hospital's LIS (editable in the mapping table)
    unit_field: str = ""  # the form keeps the report's unit here (UPCR, creatinine)
    units_kept: tuple[str, ...] = ()  # units the form accepts as reported (converted on save)
    below_limit_is_zero: bool = False  # the form's convention: 0 = below the detection limit
    category: bool = False


ANALYTES: dict[str, AnalyteDef] = {a.field: a for a in (
    # 2890-2 Protein/Creatinine [Mass Ratio] in Urine
    AnalyteDef("upcr_value", "g/g", ("2890-2",), ("UPCR", "UPRO/CR", "尿蛋白肌酐比"), unit_field="upcr_unit",
               units_kept=("g/g", "mg/mmol", "mg/g"), below_limit_is_zero=True),
    # 2889-4 Protein [Mass/time] in 24 hour Urine
    AnalyteDef("urine_protein_24h_g", "g/24h", ("2889-4",), ("24HUP", "UTP24", "24小时尿蛋白")),
    # 2160-0 Creatinine [Mass/volume] in Serum or Plasma; 14682-9 Creatinine [Moles/volume] in Serum or Plasma
    AnalyteDef("creatinine_value", "umol/L", ("14682-9", "2160-0"), ("CREA", "CR", "SCR", "肌酐"),
               unit_field="creatinine_unit", units_kept=("umol/L", "mg/dL")),
    # 1751-7 Albumin [Mass/volume] in Serum or Plasma
    AnalyteDef("albumin_g_l", "g/L", ("1751-7",), ("ALB", "白蛋白")),
    # 4485-9 Complement C3 [Mass/volume] in Serum or Plasma; 4498-2 Complement C4 [Mass/volume] ...
    AnalyteDef("c3_g_l", "g/L", ("4485-9",), ("C3", "补体C3")),
    AnalyteDef("c4_g_l", "g/L", ("4498-2",), ("C4", "补体C4")),
    # 5130-0 DNA double strand Ab [Units/volume] in Serum
    AnalyteDef("anti_dsdna_iu_ml", "IU/mL", ("5130-0",), ("DSDNA", "ANTI-DSDNA", "抗双链DNA抗体")),
    # 13945-1 Erythrocytes [#/area] in Urine sediment by Microscopy high power field
    AnalyteDef("urine_rbc_hpf", "/HPF", ("13945-1",), ("URBC", "尿红细胞"), below_limit_is_zero=True),
    # 5821-4 Leukocytes [#/area] in Urine sediment by Microscopy high power field
    AnalyteDef("urine_wbc_hpf", "/HPF", ("5821-4",), ("UWBC", "尿白细胞"), below_limit_is_zero=True),
    # Casts: the form holds a category (red-cell / heme-granular / other / none) that no single LOINC
    # term carries (LOINC counts each cast type); mapped through local codes only.
    AnalyteDef("urinary_casts", "", (), ("CAST", "UCAST", "管型"), category=True),
    # 718-7 Hemoglobin [Mass/volume] in Blood
    AnalyteDef("haemoglobin_g_l", "g/L", ("718-7",), ("HGB", "HB", "血红蛋白")),
    # 6690-2 Leukocytes [#/volume] in Blood by Automated count
    AnalyteDef("wbc_10e9_l", "10*9/L", ("6690-2",), ("WBC", "白细胞")),
    # 777-3 Platelets [#/volume] in Blood by Automated count
    AnalyteDef("platelets_10e9_l", "10*9/L", ("777-3",), ("PLT", "血小板")),
    # 1742-6 Alanine aminotransferase; 1920-8 Aspartate aminotransferase [Enzymatic activity/volume]
    AnalyteDef("alt_u_l", "U/L", ("1742-6",), ("ALT", "GPT", "谷丙转氨酶")),
    AnalyteDef("ast_u_l", "U/L", ("1920-8",), ("AST", "GOT", "谷草转氨酶")),
)}

# Qualitative results as Chinese and English reports write them
NEGATIVE = {"阴性", "-", "neg", "negative", "未见", "not seen", "none", "无"}
QUALITATIVE = NEGATIVE | {"±", "+-", "+", "++", "+++", "++++", "阳性", "positive", "pos", "弱阳性", "trace"}
CAST_WORDS = (("红细胞管型", "red_cell"), ("red cell", "red_cell"), ("rbc cast", "red_cell"),
              ("颗粒管型", "heme_granular"), ("granular", "heme_granular"),
              ("管型", "other"), ("cast", "other"))
_CENSORED = re.compile(r"^\s*(<=|>=|<|>|≤|≥)\s*([0-9]+(?:\.[0-9]+)?)\s*$")
_NUMBER = re.compile(r"^\s*[-+]?[0-9]+(?:\.[0-9]+)?\s*$")


@dataclass(frozen=True)
class Reading:
    """What the form can take from a reported result: a number, a category, or why not."""

    number: Decimal | None = None
    choice: str = ""
    problem: str = ""  # why not: an Explanation (labs.explain), shown on the review page
    unitless: bool = False  # a word ('阴性') that needs no unit: the number is in the field's unit


def read_result(analyte: AnalyteDef, text: str) -> Reading:
    """Interpret the reported result for the analyte's field, keeping the text as reported."""
    raw = (text or "").strip()
    if not raw:
        return Reading(problem=explain(gettext_noop("no result reported")))
    lowered = raw.lower()
    if analyte.category:
        if lowered in NEGATIVE:
            return Reading(choice="none")
        for word, choice in CAST_WORDS:
            if word in lowered:
                return Reading(choice=choice)
        return Reading(problem=explain(gettext_noop("the form holds a cast type; this result names none")))
    if _NUMBER.match(raw):
        try:
            return Reading(number=Decimal(raw))
        except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
            return Reading(problem=explain(gettext_noop("not a number")))
    censored = _CENSORED.match(raw)
    if censored:
        if censored.group(1) in ("<", "<=", "≤") and analyte.below_limit_is_zero:
            return Reading(number=Decimal(0))  # the form's convention: 0 = below the detection limit
        return Reading(problem=explain(gettext_noop(
            "reported beyond a measuring limit; the form holds exact numbers only")))
    if lowered in NEGATIVE and analyte.below_limit_is_zero:
        return Reading(number=Decimal(0), unitless=True)
    if lowered in QUALITATIVE:
        return Reading(problem=explain(gettext_noop("a qualitative result; the form holds a measured number")))
    return Reading(problem=explain(gettext_noop("not a number")))


def default_codes() -> list[tuple[str, str, str]]:
    """(system, code, field) rows of the default mapping table."""
    rows = []
    for a in ANALYTES.values():
        rows += [("loinc", code, a.field) for code in a.loinc]
        rows += [("local", code.upper(), a.field) for code in a.local]
    return rows
