"""In the browser, as the data manager: results collected outside every visit window are placed at
the proposed visit with a reason, accepted, and the lab form's audit trail names the placement
(docs/LAB_IMPORT.md "Placing a result outside a visit window"). Screenshots also go to
EDC_SHOTS_DIR when set (labs-place-*.png)."""
import os
from pathlib import Path

import pytest

from crf.models import Visit
from crf.models.labs import LabPanel
from labs.models import StagedResult, Status
from tests import factories
from tests.labs.helpers import data_manager, example_trial, stage

from .conftest import shot
from .test_enrolment_path import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
HEADER = "patient_id,sample_collected_at,test_code,test_name,result,unit,reference_range,abnormal_flag,report_id,status"
ROWS = ("ZY2025000123,2025-05-20 07:55,UPCR,UPCR,120,mg/mmol,,,R20,final",
        "ZY2025000123,2025-05-20 07:55,CREA,Creatinine,84,umol/L,,,R20,final",
        "ZY2025000123,2025-05-20 07:55,ALB,Albumin,30,g/L,,,R20,final",
        "ZY2025000456,2025-04-16 08:10,CREA,Creatinine,77,umol/L,,,R21,final",
        "ZY2025000456,2025-06-01 08:00,C3,C3,0.8,g/L,,,R22,final")


def snap(page, name):
    shot(page, name)
    if os.environ.get("EDC_SHOTS_DIR"):
        Path(os.environ["EDC_SHOTS_DIR"]).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(os.environ["EDC_SHOTS_DIR"]) / f"{name}.png"), full_page=True)


def test_data_manager_places_a_panel_outside_the_windows_and_accepts_it(page):
    site = factories.make_site("plagh", "BJ")
    p1, _p2 = example_trial(site, factories.make_user("clinician", site))
    dm = data_manager(site)
    batch = stage(("\n".join((HEADER, *ROWS)) + "\n").encode(), dm, filename="lis-may.csv")["batch"]
    m3 = Visit.objects.get(participant=p1, code="m3")
    sign_in(page, dm)
    page.goto(page.base + f"/labs/batches/{batch}/")
    page.wait_for_selector("tr.place")
    assert page.locator("tr.place").count() == 2  # one per participant and collection time
    group = page.locator("tr.place").first
    assert group.locator("select option:checked").get_attribute("data-code") == "m3"
    assert "7 days before the window opens · nearest" in group.locator("select option:checked").inner_text()
    snap(page, "labs-place-1-choices")
    group.locator("button[name=panel]").click()  # no reason typed
    page.wait_for_selector(".msg")
    assert "Not placed: Give the reason" in page.inner_text("main")
    assert StagedResult.objects.filter(batch_id=batch, status=Status.OUTSIDE_WINDOW).count() == 4
    snap(page, "labs-place-2-no-reason")
    group = page.locator("tr.place").first
    group.locator("input[name=reason]").fill("Month 3 brought forward (travel); sampled at the site")
    group.locator("button[name=panel]").click()
    page.wait_for_selector(".msg.success, .msg")
    assert "3 results placed at visit m3: Ready 3." in page.inner_text("main")
    assert page.locator("#staged tr[data-status=ready]").count() == 4
    assert page.locator("#staged .placed").count() == 3
    snap(page, "labs-place-3-placed")
    page.click(f"button[value='panel:{m3.pk}']")
    page.wait_for_selector(".msg")
    assert "3 result(s) accepted" in page.inner_text("main")
    panel = LabPanel.objects.get(visit=m3)
    page.goto(page.base + f"/crf/labs/{panel.pk}/audit/")
    assert f"placed at visit m3 by {dm.username}: Month 3 brought forward" in page.inner_text("main")
    snap(page, "labs-place-4-audit-trail")
    page.goto(page.base + f"/labs/batches/{batch}/")
    page.click("form.lang button[value=zh-hans]")
    page.wait_for_selector("tr.place")
    text = page.content()
    assert "放置到访视" in text and "窗口关闭后 6 天 · 最近" in text  # participant 2: m1 closed on 2025-04-10
    snap(page, "labs-place-5-zh")
