"""The one shape every source (CSV/XLSX, HL7 v2, FHIR R4) is read into before staging. Pure."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils.translation import gettext_noop

from labs.explain import Explanation, explain


class SourceRefused(Exception):
    """The whole file or message cannot be read (encoding, size, not HL7/FHIR R4...): the batch is
    recorded as refused with this explanation (labs.explain) and nothing is staged."""

    def __init__(self, explanation: Explanation):
        super().__init__(explanation)
        self.explanation = explanation


@dataclass
class LabRecord:
    position: int  # row of the file (1 = first data row), or message number / entry number
    message_id: str = ""  # HL7 MSH-10 + OBX-1, FHIR Observation identifier, CSV report number
    report_id: str = ""  # the laboratory's report (HL7 OBR-3 filler order number, CSV 报告单号)
    hospital_ids: list[str] = field(default_factory=list)  # PID-3 / patient_id / FHIR identifier
    screening_number: str = ""
    date_of_birth: date | None = None
    collected_at: datetime | None = None  # naive = the site's local time
    codes: list[tuple[str, str]] = field(default_factory=list)  # (system "loinc"|"local", code)
    test_name: str = ""
    value_text: str = ""
    unit: str = ""
    reference_range: str = ""
    abnormal_flag: str = ""
    result_status: str = "final"  # final | corrected
    error: str = ""  # an Explanation when this record cannot be read; staged as invalid with this reason

    @property
    def result_key(self) -> str:
        """Identity of a result at the source, stable across a resend or a correction."""
        code = self.codes[0][1] if self.codes else self.test_name
        return f"{self.report_id or self.message_id}|{code}"[:200]


MAX_BYTES_DEFAULT = 25 * 1024 * 1024


def parse_datetime(text: str) -> datetime | None:
    """'2025-03-04 08:30[:00]', '2025/03/04 08:30', '2025-03-04T08:30:00+08:00' or a date alone."""
    raw = (text or "").strip().replace("/", "-")
    if not raw:
        return None
    for candidate in (raw, raw.replace(" ", "T")):
        try:
            return datetime.fromisoformat(candidate)
        except ValueError:
            continue
    raise ValueError(explain(gettext_noop("not a date and time: %(value)s"), value=repr(text)))


def parse_date(text: str) -> date | None:
    value = parse_datetime(text)
    return value.date() if value else None
