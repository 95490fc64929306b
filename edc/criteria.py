"""Translated text of the eligibility criteria (protocol 2.2), keyed by the calculator's codes."""
from django.utils.translation import gettext_lazy as _

CRITERIA = {
    "inc1": _("Inclusion 1: age 18-65 inclusive"),
    "inc2": _("Inclusion 2: SLE by the revised ACR criteria"),
    "inc3": _("Inclusion 3: biopsy-proven active LN (ISN/RPS III, IV, V, III+V or IV+V) with no "
              "partial or complete response 6-12 months after starting first-line therapy"),
    "exc1": _("Exclusion 1: refuses informed consent"),
    "exc2": _("Exclusion 2: pregnant, breastfeeding or not agreeing to effective contraception"),
    "exc3": _("Exclusion 3: biopsy shows chronic nephritis"),
    "exc4": _("Exclusion 4: another autoimmune disease that can mimic SLE"),
    "exc5": _("Exclusion 5: severe hepatic dysfunction, or eGFR <= 45 mL/min/1.73 m²"),
    "exc6": _("Exclusion 6: severe uncontrolled cardiovascular, neurological, pulmonary, "
              "endocrine or gastrointestinal disease"),
    "exc7": _("Exclusion 7: major organ surgery within 12 weeks, or elective surgery needed"),
    "exc8": _("Exclusion 8: history of malignancy"),
    "exc9": _("Exclusion 9: bone marrow, lung, liver, pancreas or small-bowel transplant"),
    "exc10": _("Exclusion 10: severe active or recurrent infection within 4 weeks"),
    "exc11": _("Exclusion 11: live vaccine within 12 weeks, or expected during the study"),
    "exc12": _("Exclusion 12: severe psychiatric illness"),
    "exc13": _("Exclusion 13: severe allergy history or reaction to biologics"),
    "exc14": _("Exclusion 14: another clinical trial within 30 days"),
    # Screen failure before eligibility was assessed
    "withdrew": _("Withdrew before enrolment"),
    "other": _("Other reason"),
}


def describe(codes) -> list[str]:
    return [str(CRITERIA.get(code, code)) for code in codes]
