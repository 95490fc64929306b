"""The example files of every format (labs/examples) import end to end: staged, accepted through
the lab form's save path, the values on the form with their provenance and a reason naming the batch."""
from decimal import Decimal

import pytest
import time_machine

from crf.models.labs import LabPanel
from labs.models import ImportBatch, StagedResult, Status
from labs.selectors import lis_sourced_values
from labs.services.accept import accept
from tests.labs.helpers import LATER, data_manager, example_trial, stage

pytestmark = pytest.mark.django_db

# 4 panels x 15 tests - 2 empty 24-hour proteins = 58 results; two cannot be entered as numbers
# (C4 "<0.05" and anti-dsDNA ">800": the form holds exact numbers), one is qualitative ("++").
INVALID = {"<0.05", ">800", "++"}


@pytest.mark.parametrize("name,encoding", [("lis_export_zh_gbk.csv", "gb18030"),
                                           ("lis_export_en_utf8_bom.csv", "utf-8-sig"),
                                           ("lis_export_zh.xlsx", ""), ("observations_r4.json", ""),
                                           ("oru_r01_v24.hl7", "utf-8")])
def test_it_imports_every_example_end_to_end(site, clinician, name, encoding):
    p1, p2 = example_trial(site, clinician)
    dm = data_manager(site)
    summary = stage(name, dm)
    assert summary["status"] == "staged", summary
    assert summary["encoding"] == encoding
    counts = summary["counts"]
    corrections = 1 if name.endswith(".hl7") else 0
    assert counts["total"] == 58 + corrections
    assert counts.get("invalid") == 3
    assert counts["ready"] == 55
    assert counts.get("correction", 0) == corrections
    invalid = StagedResult.objects.filter(status=Status.INVALID)
    assert {r.reported_value for r in invalid} == INVALID
    assert all(r.explanation for r in invalid)
    batch = ImportBatch.objects.get(pk=summary["batch"])
    with time_machine.travel(LATER, tick=False):
        out = accept(batch, user=dm, reason="LIS results", all_ready=True)
    assert out == {"accepted": 55, "failed": 0, "errors": []}
    panel = LabPanel.objects.get(participant=p1, visit__code="m0")
    assert panel.upcr_value == Decimal("271.500") and panel.upcr_unit == "mg/mmol"
    assert panel.upcr_g_g == Decimal("2.400")  # 271.5 / 113.12, derived by the form
    assert panel.creatinine_umol_l == Decimal("88.0") and panel.egfr is not None
    assert panel.urinary_casts == "heme_granular" and panel.c3_g_l == Decimal("0.520")
    assert panel.sample_date.isoformat() == "2025-03-04"
    p2_m0 = LabPanel.objects.get(participant=p2, visit__code="m0")
    assert p2_m0.urine_rbc_hpf == Decimal("0.0")  # 阴性: the form's 0 for 'none seen'
    assert p2_m0.c4_g_l is None and p2_m0.anti_dsdna_iu_ml is None  # explained, not guessed
    history = panel.history.first()
    assert f"lab import #{batch.pk}" in history.history_change_reason
    assert batch.sha256[:12] in history.history_change_reason
    sources = lis_sourced_values([panel])[panel.pk]
    assert "upcr_value" in sources and "c3_g_l" in sources


def test_a_repeat_of_the_same_file_changes_nothing(site, clinician):
    example_trial(site, clinician)
    dm = data_manager(site)
    first = stage("lis_export_zh_gbk.csv", dm)
    rows = StagedResult.objects.count()
    again = stage("lis_export_zh_gbk.csv", dm)
    assert again["repeat_of_earlier_import"] and again["batch"] == first["batch"]
    assert StagedResult.objects.count() == rows and ImportBatch.objects.count() == 1


def test_the_same_results_in_another_format_are_duplicates_once_accepted(site, clinician):
    example_trial(site, clinician)
    dm = data_manager(site)
    first = stage("lis_export_zh_gbk.csv", dm)
    with time_machine.travel(LATER, tick=False):
        accept(ImportBatch.objects.get(pk=first["batch"]), user=dm, reason="LIS", all_ready=True)
    second = stage("lis_export_en_utf8_bom.csv", dm)
    assert second["counts"].get("ready", 0) == 0
    assert second["counts"]["duplicate"] == 55
