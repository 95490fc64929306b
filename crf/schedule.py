"""The schedule of visits, declared once (protocol 2.5.6, 2.6, 2.12; docs/DECISIONS.md: windows).

Month 0 is the randomization date (baseline, infusion 1). Months 1-12 monthly (month 6: infusion 2
and the primary endpoint; month 12: the primary endpoint), then yearly to month 60. Windows: monthly
visits ±7 days, months 6 and 12 ±14 days, yearly visits ±30 days; month 0 from the randomization
day to 7 days after (baseline must not precede randomization). Biospecimens at 0, 6, 12 and yearly
(protocol 2.12). Renal response is assessed from month 3 on against the month-0 baseline.
"""
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext_lazy as _

from edc.clinical.dates import add_months

# Procedures shown on the visit page
INFUSION_1, INFUSION_2 = _("infusion 1"), _("infusion 2")
SPECIMENS, ENDPOINT, BASELINE = _("biospecimens"), _("primary endpoint"), _("baseline")

VITALS, LABS, SLEDAI, BILAG, RESPONSE = "vitals", "labs", "sledai", "bilag", "response"
INFUSION, BIOSPECIMEN, PREGNANCY, BIOPSY = "infusion", "biospecimen", "pregnancy", "biopsy"


@dataclass(frozen=True)
class VisitDef:
    code: str
    month: int
    before: int  # days the window opens before the target date
    after: int  # days the window stays open after it
    crfs: tuple[str, ...]
    procedures: tuple[str, ...] = ()

    def target(self, month0: date) -> date:
        return add_months(month0, self.month)

    def window(self, month0: date) -> tuple[date, date]:
        target = self.target(month0)
        return target - timedelta(days=self.before), target + timedelta(days=self.after)


def _monthly(month: int) -> VisitDef:
    crfs = (VITALS, LABS, SLEDAI, BILAG) + ((RESPONSE,) if month >= 3 else ())
    if month in (6, 12):  # primary endpoint visits: ±14 days
        crfs += (BIOSPECIMEN,) + ((INFUSION, PREGNANCY) if month == 6 else ())
        procedures = (INFUSION_2, SPECIMENS, ENDPOINT) if month == 6 else (SPECIMENS, ENDPOINT)
        return VisitDef(f"m{month}", month, 14, 14, crfs, procedures)
    return VisitDef(f"m{month}", month, 7, 7, crfs)


SCHEDULE: tuple[VisitDef, ...] = (
    VisitDef("m0", 0, 0, 7, (VITALS, LABS, SLEDAI, BILAG, INFUSION, BIOSPECIMEN, PREGNANCY),
             (INFUSION_1, SPECIMENS, BASELINE)),
    *(_monthly(m) for m in range(1, 13)),
    *(VisitDef(f"m{m}", m, 30, 30, (VITALS, LABS, SLEDAI, BILAG, RESPONSE, BIOSPECIMEN), (SPECIMENS,))
      for m in (24, 36, 48, 60)),
)
BY_CODE = {v.code: v for v in SCHEDULE}
ENDPOINT_VISITS = ("m6", "m12")  # primary endpoint: overall renal response (protocol 1.2)
