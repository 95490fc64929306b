"""Saved column mappings for other CSV layouts, and the code mapping deciding what is 'unmapped'."""
import pytest

from labs.models import Status
from labs.services.mapping import save_column_mapping, save_mapping
from tests.labs.helpers import data_manager, example_trial, stage

pytestmark = pytest.mark.django_db
OTHER_LAYOUT = ("住院号码,检验时间,代码,数值,计量单位,单号\n"
                "ZY2025000123,2025/04/03 07:55,XCR,84,umol/L,R77\n").encode("gb18030")
COLUMNS = {"patient_id": "住院号码", "sample_collected_at": "检验时间", "test_code": "代码", "result": "数值",
           "unit": "计量单位", "report_id": "单号"}


def test_a_saved_column_mapping_reads_another_layout(site, clinician):
    example_trial(site, clinician)
    dm = data_manager(site)
    refused = stage(OTHER_LAYOUT, dm, filename="other.csv")
    assert refused["status"] == "refused" and "Columns not found" in refused["error"]
    missing = stage(OTHER_LAYOUT + b"\n", dm, filename="other.csv", mapping_name="nope")
    assert missing["status"] == "refused" and "nope" in missing["error"]
    save_column_mapping(user=dm, name="ward-export", columns=COLUMNS)
    first = stage(OTHER_LAYOUT + b"\n\n", dm, filename="other.csv", mapping_name="ward-export")
    assert first["counts"] == {Status.UNMAPPED: 1, "total": 1}  # the local code XCR is not mapped yet
    save_mapping(user=dm, system="local", code="xcr", field="creatinine_value")
    second = stage(OTHER_LAYOUT + b"\n\n\n", dm, filename="other.csv", mapping_name="ward-export")
    assert second["counts"] == {Status.READY: 1, "total": 1}
