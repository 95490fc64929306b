"""The eligibility verdict explained, criterion by criterion, for the participant page."""
from dataclasses import dataclass

from edc.clinical.eligibility import EXCLUSION_CODES, INCLUSION_CODES
from edc.criteria import CRITERIA
from edc.models import EligibilityAssessment


@dataclass(frozen=True)
class CriterionRow:
    code: str
    label: str
    passed: bool
    support: str

    @property
    def is_inclusion(self) -> bool:
        return self.code.startswith("inc")


def criterion_rows(a: EligibilityAssessment) -> list[CriterionRow]:
    failed = set(a.failed_criteria)
    support = {
        "inc1": f"{a.age_at_screening}",
        "inc2": f"{a.acr_criteria_met} / 11",
        "inc3": (f"{a.biopsy_class}; {a.get_first_line_response_display()}; "
                 f"{a.months_on_first_line} mo; {a.inclusion_note}").strip("; "),
        "exc1": "",
        "exc5": f"eGFR {a.egfr} ({a.creatinine_value} {a.creatinine_unit}, {a.creatinine_date})",
    }
    for code in EXCLUSION_CODES:
        if code not in support:
            support[code] = getattr(a, f"{code}_note", "")
    return [CriterionRow(code, str(CRITERIA[code]), code not in failed, support[code])
            for code in (*INCLUSION_CODES, *EXCLUSION_CODES)]
