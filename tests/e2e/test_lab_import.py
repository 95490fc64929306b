"""In the browser, as the data manager: upload the LIS export (Chinese headers, GBK), review the
staged results beside the forms, accept all ready results, and see on the lab form where each value
came from (docs/LAB_IMPORT.md)."""
import pytest

from crf.models.labs import LabPanel
from labs.models import ImportBatch
from tests import factories
from tests.labs.helpers import EXAMPLES, data_manager, example_trial

from .conftest import shot
from .test_enrolment_path import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_data_manager_imports_reviews_and_accepts(page):
    site = factories.make_site("plagh", "BJ")
    clinician = factories.make_user("clinician", site)
    p1, _p2 = example_trial(site, clinician)
    dm = data_manager(site)
    sign_in(page, dm)
    page.click("nav >> text=Lab import")
    page.set_input_files("#id_file", str(EXAMPLES / "lis_export_zh_gbk.csv"))
    shot(page, "labs-1-upload")
    page.click("#upload button[type=submit]")
    page.wait_for_selector("#staged")
    batch = ImportBatch.objects.get()
    assert "gb18030" in page.inner_text("main") and batch.sha256 in page.inner_text("main")
    assert page.locator("#staged tr[data-status=ready]").count() == 55
    assert page.locator("#staged tr[data-status=invalid]").count() == 3
    shot(page, "labs-2-review")
    page.click("#status-counts >> [data-status=invalid]")
    page.wait_for_selector("#staged tr[data-status=invalid]")
    assert "measuring limit" in page.inner_text("#staged")
    shot(page, "labs-3-invalid-explained")
    page.click("#status-counts >> text=All")
    page.click("text=Accept all ready results")
    page.wait_for_selector(".msg")
    assert "55 result(s) accepted" in page.inner_text("main")
    assert LabPanel.objects.count() == 4
    shot(page, "labs-4-accepted")
    panel = LabPanel.objects.get(participant=p1, visit__code="m0")
    page.goto(page.base + f"/visits/{panel.visit_id}/crf/labs/")
    page.wait_for_selector("#value-sources")
    assert f"LIS batch #{batch.pk}" in page.inner_text("#value-sources")
    shot(page, "labs-5-lab-form-sources")
    page.goto(page.base + "/labs/mappings/")
    assert "2890-2" in page.inner_text("#mappings")
    shot(page, "labs-6-mapping")
