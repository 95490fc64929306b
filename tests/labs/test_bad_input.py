"""Bad input (docs/LAB_IMPORT.md "Bad input"): each is staged as an explained error or the batch is
refused with the reason, and nothing is written to a form (only the staging tables change)."""
import json

import pytest
import time_machine

from crf.services.locks import lock
from labs.models import ImportBatch, StagedResult, Status
from labs.services.identifiers import set_hospital_record_number
from labs.services.mapping import ensure_default_mappings
from tests import factories
from tests.fuzz.db import changed_tables, table_counts
from tests.labs.helpers import EXAMPLES, LATER, data_manager, example_trial, stage

pytestmark = pytest.mark.django_db
STAGING = {"labs_importbatch", "labs_importbatch_sites", "labs_stagedresult"}
HEADER = "patient_id,sample_collected_at,test_code,test_name,result,unit,reference_range,abnormal_flag,report_id,status"


def csv(*lines: str) -> bytes:
    return ("\n".join((HEADER, *lines)) + "\n").encode()


@pytest.fixture
def trial(site, clinician):
    p1, p2 = example_trial(site, clinician)
    ensure_default_mappings()  # made once, by the first import; not part of what a bad file may write
    return {"p1": p1, "p2": p2, "dm": data_manager(site), "site": site, "clinician": clinician}


def staged_only(trial, data, **kwargs):
    """Stage `data`; assert only staging rows were written; return (summary, staged rows)."""
    before = table_counts()
    summary = stage(data, trial["dm"], **kwargs)
    changed = set(changed_tables(before, table_counts()))
    assert changed <= STAGING, changed
    rows = list(StagedResult.objects.filter(batch_id=summary["batch"])) if summary["batch"] else []
    return summary, rows


def one(rows, status):
    assert [r.status for r in rows] == [status], [(r.status, r.explanation) for r in rows]
    assert rows[0].explanation
    return rows[0].explanation


MSH = "MSH|^~\\&|LIS|PLAGH|EDC|TRIAL|20250403080000||ORU^R01|{id}|P|2.4"
PID = "PID|1||ZY2025000123^^^PLAGH^MR||^^|19900512|F"
OBR = "OBR|1|R1|R1|LAB|||20250403075500"
OBX = "OBX|1|NM|CREA^肌酐^L^14682-9^^LN||84|umol/L|41-81|H|||{status}"


def hl7(*segments: str) -> bytes:
    return "\r".join(segments).encode()


def test_hl7_without_msh(trial):
    _, rows = staged_only(trial, hl7(PID, OBR, OBX.format(status="F")), filename="x.hl7")
    assert "MSH" in one(rows, Status.INVALID)


def test_hl7_with_other_delimiters(trial):
    message = hl7("MSH#$~\\&#LIS#PLAGH#EDC#TRIAL#20250403080000##ORU$R01#A1#P#2.4", "PID#1##ZY2025000123")
    _, rows = staged_only(trial, message, filename="x.hl7")
    assert "delimiters" in one(rows, Status.INVALID)


def test_hl7_truncated(trial):
    _, rows = staged_only(trial, hl7(MSH.format(id="T1"), PID, OBR), filename="x.hl7")
    assert "truncated" in one(rows, Status.INVALID)


def test_hl7_wrong_message_type(trial):
    adt = MSH.format(id="A1").replace("ORU^R01", "ADT^A01")
    _, rows = staged_only(trial, hl7(adt, PID), filename="x.hl7")
    assert "ADT^A01" in one(rows, Status.INVALID)


def test_hl7_the_same_message_twice(trial):
    message = [MSH.format(id="M1"), PID, OBR, OBX.format(status="F")]
    first, rows = staged_only(trial, hl7(*message), filename="a.hl7")
    assert [r.status for r in rows] == [Status.READY]
    again, _ = staged_only(trial, hl7(*message), filename="a-again.hl7")
    assert again["repeat_of_earlier_import"] and again["batch"] == first["batch"]
    resent = [MSH.format(id="M1").replace("20250403080000", "20250403090000"), PID, OBR, OBX.format(status="F")]
    _, rows = staged_only(trial, hl7(*resent), filename="resent.hl7")
    assert "already imported" in one(rows, Status.DUPLICATE)


def test_hl7_correction_for_a_result_never_imported(trial):
    _, rows = staged_only(trial, hl7(MSH.format(id="C1"), PID, OBR, OBX.format(status="C")), filename="c.hl7")
    assert "never imported" in one(rows, Status.INVALID)


def test_fhir_that_is_not_r4(trial):
    bundle = json.loads((EXAMPLES / "observations_r4.json").read_text())
    observation = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Observation")
    observation["context"] = {"reference": "Encounter/1"}  # STU3's Observation.context (R4: encounter)
    bundle["entry"] = [e for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"] + [
        {"resource": observation}]
    _, rows = staged_only(trial, json.dumps(bundle).encode(), filename="stu3.json")
    assert "not a valid FHIR R4 Observation" in one(rows, Status.INVALID)
    bundle["meta"] = {"fhirVersion": "5.0.0"}
    summary, rows = staged_only(trial, json.dumps(bundle).encode(), filename="r5.json")
    assert summary["status"] == "refused" and "R4" in summary["error"] and rows == []


def test_fhir_that_is_not_an_observation(trial):
    bundle = {"resourceType": "Bundle", "type": "collection",
              "entry": [{"resource": {"resourceType": "Condition", "id": "c1"}}]}
    _, rows = staged_only(trial, json.dumps(bundle).encode(), filename="c.json")
    assert "not an Observation" in one(rows, Status.INVALID)
    summary, _ = staged_only(trial, json.dumps({"resourceType": "Patient"}).encode(), filename="p.json")
    assert summary["status"] == "refused" and "Bundle" in summary["error"]


@pytest.mark.parametrize("data,words", [
    ("patient_id,result\nZY1,caf\u00e9\n".encode("latin-1"), "neither UTF-8 nor GB18030"),
    ("patient_id,result\n".encode("utf-16"), "UTF-16"),
])
def test_a_file_in_an_unexpected_encoding(trial, data, words):
    summary, rows = staged_only(trial, data, filename="x.csv")
    assert summary["status"] == "refused" and words in summary["error"] and rows == []
    assert ImportBatch.objects.get(pk=summary["batch"]).error == summary["error"]


def test_unknown_and_unconvertible_units(trial):
    _, rows = staged_only(trial, csv("ZY2025000123,2025-04-03 07:55,CREA,Creatinine,84,mg%,,,R9,final",
                                     "ZY2025000123,2025-04-03 07:55,DSDNA,Anti-dsDNA,120,U/mL,,,R9,final"))
    assert [r.status for r in rows] == [Status.UNIT, Status.UNIT]
    assert "mg%" in rows[0].explanation and "IU/mL" in rows[1].explanation


def test_a_patient_who_is_not_a_participant_or_of_another_site(trial, other_site, other_clinician):
    with time_machine.travel(LATER, tick=False):
        elsewhere = factories.randomized_participant(other_site, other_clinician)
    set_hospital_record_number(elsewhere, "ZY77", user=other_clinician)
    _, rows = staged_only(trial, csv("ZY0000000,2025-04-03 07:55,CREA,Creatinine,84,umol/L,,,R9,final",
                                     "ZY77,2025-06-02 07:55,CREA,Creatinine,84,umol/L,,,R9,final"))
    assert [r.status for r in rows] == [Status.UNMATCHED, Status.UNMATCHED]
    assert rows[0].explanation == rows[1].explanation  # another site's participant: no existence leak
    assert rows[1].participant_id is None


def test_future_and_pre_screening_collection_times(trial):
    _, rows = staged_only(trial, csv("ZY2025000123,2025-06-03 08:00,CREA,Creatinine,84,umol/L,,,R9,final",
                                     "ZY2025000123,2025-01-02 08:00,ALB,Albumin,30,g/L,,,R9,final"))
    assert [r.status for r in rows] == [Status.INVALID, Status.INVALID]
    assert "future" in rows[0].explanation and "screened" in rows[1].explanation


def test_a_result_for_a_locked_form(trial):
    with time_machine.travel(LATER, tick=False):
        # the whole database: a casebook lock now needs every due form complete (crf.workflow), which
        # this trial's participant does not have
        lock(scope="database", user=trial["dm"], reason="Database reviewed")
    _, rows = staged_only(trial, csv("ZY2025000123,2025-04-03 07:55,CREA,Creatinine,84,umol/L,,,R9,final"))
    assert "locked" in one(rows, Status.INVALID)


def test_a_50_mb_file(trial):
    data = csv() + b"ZY1,2025-04-03 07:55,CREA,Creatinine,84,umol/L,,,R9,final\n" * (50 * 1024 * 1024 // 56)
    assert len(data) >= 50 * 1024 * 1024
    summary, rows = staged_only(trial, data, filename="huge.csv")
    assert summary["status"] == "refused" and rows == []
    assert "the limit is 25 MB" in summary["error"]


def test_outside_a_visit_window_and_unmapped(trial):
    _, rows = staged_only(trial, csv("ZY2025000123,2025-05-20 07:55,CREA,Creatinine,84,umol/L,,,R9,final",
                                     "ZY2025000123,2025-04-03 07:55,ESR,ESR,20,mm/h,,,R9,final"))
    assert [r.status for r in rows] == [Status.OUTSIDE_WINDOW, Status.UNMAPPED]
