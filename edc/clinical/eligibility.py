"""The eligibility verdict (protocol 2.2): 3 inclusion criteria, all must hold; 14 exclusion
criteria, any one excludes.

Computed where the data allow: age from date of birth at the screening date, eGFR by CKD-EPI 2021 at
the age on the creatinine sample date, biopsy class, months on first-line therapy.

Inclusion 3, refractory: fewer than 6 months on first-line therapy fails (too early to call it
refractory); any partial or complete response fails; more than 12 months without a response is not
refused: the patient did fail to respond within 6-12 months, and the verdict asks the investigator
to confirm it (`to_confirm`). The verdict names every failing criterion by code
(inc1-inc3, exc1-exc14); the Django layer turns codes into translated text.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .dates import age_in_years, whole_months_between
from .egfr import egfr_ckd_epi_2021
from .nih import ELIGIBLE_BIOPSY_CLASSES
from .units import creatinine_to_mg_dl

AGE_MIN, AGE_MAX = 18, 65  # inclusion 1: 18-65 inclusive
ACR_CRITERIA_NEEDED = 4  # inclusion 2: revised ACR classification, >= 4 of 11
FIRST_LINE_MONTHS = (6, 12)  # inclusion 3: no PR/CR within 6-12 months of first-line therapy
EGFR_EXCLUSION_AT_OR_BELOW = 45.0  # exclusion 5: eGFR <= 45 mL/min/1.73 m2

INCLUSION_CODES = ("inc1", "inc2", "inc3")
EXCLUSION_CODES = tuple(f"exc{n}" for n in range(1, 15))


@dataclass(frozen=True)
class EligibilityInput:
    date_of_birth: date
    sex: str  # "F" or "M"
    screening_date: date
    main_consent_given: bool
    acr_criteria_met: int
    biopsy_class: str
    biopsy_active: bool
    first_line_start_date: date
    first_line_response: str  # "none" | "partial" | "complete"
    severe_hepatic_dysfunction: bool
    creatinine_value: float
    creatinine_unit: str
    creatinine_date: date | None = None  # None: the screening date
    # Yes/no answers to the other exclusions: {"exc2": False, ...}
    exclusions: dict[str, bool] = field(default_factory=dict)


@dataclass(frozen=True)
class Verdict:
    eligible: bool
    failed: tuple[str, ...]  # criterion codes, inclusion first
    age: int
    egfr: float
    months_on_first_line: int
    details: dict[str, str]  # code -> the numbers that decided it
    to_confirm: tuple[str, ...] = ()  # "inc3_over_12_months": met only once the investigator confirms


def assess_eligibility(data: EligibilityInput) -> Verdict:
    """Apply protocol 2.2. Raises ValueError for impossible input (e.g. creatinine <= 0)."""
    if data.first_line_start_date > data.screening_date:
        raise ValueError("First-line therapy cannot start after the screening date.")
    age = age_in_years(data.date_of_birth, data.screening_date)
    # eGFR at the age on the day the creatinine was sampled (CKD-EPI is defined for adults: >= 18).
    age_at_sample = age_in_years(data.date_of_birth, data.creatinine_date or data.screening_date)
    egfr = egfr_ckd_epi_2021(creatinine_to_mg_dl(data.creatinine_value, data.creatinine_unit),
                             max(age_at_sample, 18), data.sex)
    months = whole_months_between(data.first_line_start_date, data.screening_date)
    failed: list[str] = []
    details: dict[str, str] = {}

    details["inc1"] = f"age {age} (allowed {AGE_MIN}-{AGE_MAX})"
    if not AGE_MIN <= age <= AGE_MAX:
        failed.append("inc1")

    details["inc2"] = f"{data.acr_criteria_met} of 11 ACR criteria (needs {ACR_CRITERIA_NEEDED})"
    if data.acr_criteria_met < ACR_CRITERIA_NEEDED:
        failed.append("inc2")

    details["inc3"] = (f"class {data.biopsy_class}, active {data.biopsy_active}, "
                       f"{months} months on first line, response {data.first_line_response}")
    refractory = months >= FIRST_LINE_MONTHS[0] and data.first_line_response == "none"
    if not (data.biopsy_class in ELIGIBLE_BIOPSY_CLASSES and data.biopsy_active and refractory):
        failed.append("inc3")
    to_confirm = ("inc3_over_12_months",) if refractory and months > FIRST_LINE_MONTHS[1] else ()

    details["exc1"] = "main consent recorded" if data.main_consent_given else "no main consent"
    if not data.main_consent_given:
        failed.append("exc1")
    for code in EXCLUSION_CODES[1:]:
        if code == "exc5":
            details["exc5"] = (f"eGFR {egfr:.1f} (excluded at or below {EGFR_EXCLUSION_AT_OR_BELOW:g}), "
                               f"severe hepatic dysfunction {data.severe_hepatic_dysfunction}")
            # Round as shown to the user, so the page and the verdict never disagree at 45.0.
            if data.severe_hepatic_dysfunction or round(egfr, 1) <= EGFR_EXCLUSION_AT_OR_BELOW:
                failed.append("exc5")
            continue
        if code not in data.exclusions:
            raise ValueError(f"Exclusion criterion {code} was not answered.")
        if data.exclusions[code]:
            failed.append(code)

    return Verdict(eligible=not failed, failed=tuple(failed), age=age, egfr=egfr,
                   months_on_first_line=months, details=details, to_confirm=to_confirm)
