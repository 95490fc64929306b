"""The example trial of labs/examples (two participants randomized on 2025-03-03, hospital record
numbers ZY2025000123 and ZY2025000456) and staging through the real services."""
from datetime import date, datetime
from pathlib import Path

import time_machine

from edc import roles
from labs.services.identifiers import set_hospital_record_number
from labs.services.staging import stage_bytes
from tests import factories

EXAMPLES = Path(__file__).resolve().parents[2] / "labs" / "examples"
MONTH0 = datetime(2025, 3, 3, 10, 0, tzinfo=factories.SHANGHAI)
LATER = datetime(2025, 6, 2, 9, 0, tzinfo=factories.SHANGHAI)  # every example result is in the past
PEOPLE = (("0001", date(1990, 5, 12), "ZY2025000123"), ("0002", date(1986, 11, 30), "ZY2025000456"))


def example_trial(site, clinician):
    factories.strata_and_list()
    out = []
    with time_machine.travel(MONTH0, tick=False):
        for number, dob, hospital in PEOPLE:
            p = factories.randomized_participant(site, clinician, screening_number=number, date_of_birth=dob)
            set_hospital_record_number(p, hospital, user=clinician)
            out.append(p)
    return out


def data_manager(*sites):
    return factories.make_user(roles.DATA_MANAGER, *sites)


def stage(name_or_bytes, user, *, filename="", **kwargs) -> dict:
    if isinstance(name_or_bytes, bytes):
        data, filename = name_or_bytes, filename or "upload.csv"
    else:
        data, filename = (EXAMPLES / name_or_bytes).read_bytes(), filename or name_or_bytes
    with time_machine.travel(LATER, tick=False):
        return stage_bytes(data, filename=filename, user=user, sites=list(user.sites.all()), **kwargs)


CSV_HEADER = ("patient_id,sample_collected_at,test_code,test_name,result,unit,reference_range,abnormal_flag,"
              "report_id,status")


def lab_csv(hospital: str, collected: str, report: str, results) -> bytes:
    """A LIS CSV export (English headers) of one report: `results` are (code, result, unit)."""
    lines = [CSV_HEADER] + [f"{hospital},{collected},{code},{code},{value},{unit},,,{report},final"
                            for code, value, unit in results]
    return ("\n".join(lines) + "\n").encode()


def stage_and_accept(data: bytes, user, *, at: datetime, filename: str = "upload.csv") -> dict:
    """The real import path: stage the file as the data manager, then accept every ready row."""
    from labs.models import ImportBatch
    from labs.services.accept import accept

    with time_machine.travel(at, tick=False):
        summary = stage_bytes(data, filename=filename, user=user, sites=list(user.sites.all()))
        out = accept(ImportBatch.objects.get(pk=summary["batch"]), user=user, reason="LIS results", all_ready=True)
    assert out["failed"] == 0, out
    return out
