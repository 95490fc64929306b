"""The data manager's pages: upload, review (accept per row, per panel, all ready; skip), code
mapping; the hospital record number on the participant page; deny by default; site isolation;
and the review page's query budget (the same for 1 and 4 panels' worth of results)."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crf.models.labs import LabPanel
from edc import roles
from labs.models import HospitalRecordNumber, ImportBatch, StagedResult, Status, TestMapping
from tests import factories
from tests.labs.helpers import EXAMPLES, data_manager, example_trial, stage

pytestmark = pytest.mark.django_db
REVIEW_BUDGET = 10  # measured; must not grow with the batch
# with results outside every window: + the participants' visits, lab forms, locks, the database lock
# and the size of each placement group (labs.selectors.placement_groups), whatever their number
PLACEMENT_BUDGET = REVIEW_BUDGET + 5


@pytest.fixture
def trial(site, clinician):
    p1, p2 = example_trial(site, clinician)
    return {"p1": p1, "p2": p2, "dm": data_manager(site)}


def upload(client, name, **extra):
    data = (EXAMPLES / name).read_bytes()
    return client.post("/labs/batches/", {"file": SimpleUploadedFile(name, data), "format": "auto", **extra})


def test_it_stages_an_upload_and_accepts_per_row_panel_and_all(trial, client_for):
    client = client_for(trial["dm"])
    response = upload(client, "lis_export_zh_gbk.csv")
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/labs/batches/{batch.pk}/"
    page = client.get(f"/labs/batches/{batch.pk}/")
    assert page.status_code == 200 and "gb18030" in page.content.decode() and batch.sha256 in page.content.decode()
    m1 = StagedResult.objects.filter(participant=trial["p1"], visit__code="m1", status=Status.READY)
    creatinine = m1.get(field="creatinine_value")
    # one row alone cannot make a new panel: explained, nothing saved
    client.post(f"/labs/batches/{batch.pk}/", {"action": "rows", "rows": [creatinine.pk], "reason": "LIS"})
    creatinine.refresh_from_db()
    assert creatinine.status == Status.READY and "UPCR" in creatinine.explanation
    assert not LabPanel.objects.exists()
    # the panel
    client.post(f"/labs/batches/{batch.pk}/", {"action": f"panel:{creatinine.visit_id}", "reason": "LIS"})
    assert LabPanel.objects.filter(visit=creatinine.visit).exists()
    assert not m1.exists()  # all accepted
    # skip one, accept all the others
    other = StagedResult.objects.filter(participant=trial["p2"], status=Status.READY, field="alt_u_l").first()
    client.post(f"/labs/batches/{batch.pk}/", {"action": "skip", "rows": [other.pk], "reason": "x"})
    client.post(f"/labs/batches/{batch.pk}/", {"action": "all", "reason": "LIS results"})
    assert StagedResult.objects.get(pk=other.pk).status == Status.SKIPPED
    assert not StagedResult.objects.filter(status=Status.READY).exists()
    assert LabPanel.objects.count() == 4
    # the lab form shows where each value came from
    panel = LabPanel.objects.get(visit=creatinine.visit)
    form = client_for(factories.make_user(roles.CLINICIAN, trial["p1"].site)).get(
        f"/visits/{panel.visit_id}/crf/labs/")
    assert f"LIS batch #{batch.pk}" in form.content.decode()


def test_a_reason_is_required(trial, client_for):
    client = client_for(trial["dm"])
    upload(client, "lis_export_zh_gbk.csv")
    batch = ImportBatch.objects.get()
    response = client.post(f"/labs/batches/{batch.pk}/", {"action": "all", "reason": ""})
    assert response.status_code == 200 and not LabPanel.objects.exists()


def test_review_page_queries_do_not_grow_with_the_batch(trial, client_for):
    client = client_for(trial["dm"])
    small = stage(EXAMPLES.joinpath("lis_export_zh_gbk.csv").read_bytes()[:700], trial["dm"], filename="s.csv")
    big = stage("lis_export_en_utf8_bom.csv", trial["dm"])
    client.get("/ping/")  # the first request of a session writes it (edc.middleware); the pages below do not
    counts = []
    for summary in (small, big):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/labs/batches/{summary['batch']}/").status_code == 200
        counts.append(len(ctx))
    assert small["counts"]["total"] < big["counts"]["total"]
    assert counts == [REVIEW_BUDGET, REVIEW_BUDGET]


def test_only_the_data_manager_imports(trial, client_for, site):
    for role in (roles.CLINICIAN, roles.MONITOR, roles.STATISTICIAN, roles.RANDOMIZATION_ADMIN):
        client = client_for(factories.make_user(role, site))
        assert client.get("/labs/batches/").status_code == 403
        assert client.get("/labs/mappings/").status_code == 403
    assert client_for(trial["dm"]).get("/labs/batches/").status_code == 200


def test_another_sites_data_manager_sees_no_matched_row(trial, client_for, other_site):
    summary = stage("lis_export_zh_gbk.csv", trial["dm"])
    outsider = data_manager(other_site)
    assert client_for(outsider).get(f"/labs/batches/{summary['batch']}/").status_code == 404


def test_mapping_edits_are_audited(trial, client_for):
    client = client_for(trial["dm"])
    client.get("/labs/mappings/")
    response = client.post("/labs/mappings/", {"system": "local", "code": "xcr", "field": "creatinine_value",
                                               "active": "on"})
    assert response.status_code == 302
    row = TestMapping.objects.get(code="XCR")
    assert row.history.first().history_user == trial["dm"]
    response = client.post("/labs/mappings/", {"system": "local", "code": "XCR", "field": "albumin_g_l"})
    assert response.status_code == 200  # a change needs a reason
    row.refresh_from_db()
    assert row.field == "creatinine_value"
    client.post("/labs/mappings/", {"system": "local", "code": "XCR", "field": "albumin_g_l", "reason": "LIS renamed"})
    row.refresh_from_db()
    assert row.field == "albumin_g_l" and row.history.first().history_change_reason == "LIS renamed"


def test_hospital_record_number_is_shown_to_site_staff_only_and_stored_encrypted(trial, client_for, other_site):
    p1 = trial["p1"]
    record = HospitalRecordNumber.objects.get(participant=p1)
    assert "ZY2025000123" not in record.ciphertext and len(record.digest) == 64
    page = client_for(factories.make_user(roles.COORDINATOR, p1.site)).get(f"/participants/{p1.pk}/")
    assert "ZY2025000123" in page.content.decode()
    stranger = client_for(factories.make_user(roles.CLINICIAN, other_site))
    assert stranger.get(f"/participants/{p1.pk}/").status_code == 404
    assert stranger.post(f"/labs/participants/{p1.pk}/hospital-number/", {"number": "X1"}).status_code == 404
    statistician = client_for(factories.make_user(roles.STATISTICIAN, p1.site))
    assert "ZY2025000123" not in statistician.get(f"/participants/{p1.pk}/").content.decode()


def test_changing_the_hospital_record_number_needs_a_reason(trial, client_for):
    p1 = trial["p1"]
    client = client_for(factories.make_user(roles.CLINICIAN, p1.site))
    client.post(f"/labs/participants/{p1.pk}/hospital-number/", {"number": "ZY9"})
    assert "ZY2025000123" in client.get(f"/participants/{p1.pk}/").content.decode()
    client.post(f"/labs/participants/{p1.pk}/hospital-number/", {"number": "zy9", "reason": "typo in the EMR"})
    record = HospitalRecordNumber.objects.get(participant=p1)
    assert record.history.first().history_change_reason == "typo in the EMR"
    assert "ZY9" in client.get(f"/participants/{p1.pk}/").content.decode()


def test_review_page_queries_with_placement_controls_do_not_grow_with_the_batch(trial, client_for):
    """The visit choices of results outside every window (docs/LAB_IMPORT.md "Placing a result
    outside a visit window")."""
    client = client_for(trial["dm"])
    header = EXAMPLES.joinpath("lis_export_en_utf8_bom.csv").read_text(encoding="utf-8-sig").splitlines()
    outside = [f"{who},2025-05-{day} 07:55,{code},{code},{value},{unit},,,R{who}{day},final"
               for who in ("ZY2025000123", "ZY2025000456") for day in (14, 18, 20)
               for code, value, unit in (("CREA", 84, "umol/L"), ("ALB", 30, "g/L"))]
    small = stage(("\n".join(header[:2] + outside[:1]) + "\n").encode(), trial["dm"], filename="s.csv")
    big = stage(("\n".join(header + outside) + "\n").encode(), trial["dm"], filename="b.csv")
    client.get("/ping/")  # the first request of a session writes it (edc.middleware); the pages below do not
    counts, forms = [], []
    for summary in (small, big):
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(f"/labs/batches/{summary['batch']}/")
        counts.append(len(ctx))
        forms.append(page.content.decode().count('class="place-form"'))
    assert (small["counts"]["outside_window"], big["counts"]["outside_window"]) == (1, 12)
    assert forms == [1, 6]  # one placement per participant and collection time
    assert counts == [PLACEMENT_BUDGET, PLACEMENT_BUDGET]
