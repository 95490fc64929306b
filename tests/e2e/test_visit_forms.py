"""A clinician enters the month-0 lab panel and SLEDAI-2K in the browser and sees the computed
values (eGFR, SLEDAI total) with how they were decided."""
import pytest
from django.utils import timezone

from crf.models.labs import LabPanel
from crf.models.sledai import SledaiAssessment
from edc import roles
from tests import factories

from .conftest import shot
from .test_enrolment_path import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_month_0_labs_and_sledai_show_their_computed_values(page):
    site = factories.make_site("plagh", "BJ")
    clinician = factories.make_user(roles.CLINICIAN, site)
    factories.strata_and_list()
    p = factories.randomized_participant(site, clinician)
    m0 = p.visits.get(code="m0")
    today = timezone.localdate().isoformat()

    sign_in(page, clinician)
    page.goto(page.base + f"/visits/{m0.pk}/")
    page.click("[data-crf=labs] a.btn")
    page.fill("#id_sample_date", today)
    page.fill("#id_upcr_value", "2.5")
    page.select_option("#id_upcr_unit", "g/g")
    page.check("#id_upcr_specimen_0")  # spot urine
    page.fill("#id_creatinine_value", "80")
    page.select_option("#id_creatinine_unit", "umol/L")
    page.fill("#id_c3_g_l", "0.5")          # low complement
    page.fill("#id_anti_dsdna_iu_ml", "300")  # raised anti-dsDNA
    page.fill("#id_urine_rbc_hpf", "12")     # haematuria
    page.fill("#id_platelets_10e9_l", "180")
    page.click("button[type=submit]")
    if page.query_selector("#soft-warnings"):
        page.check("input[name=acknowledge]")
        page.click("button[type=submit]")
    page.wait_for_selector("text=Laboratory panel saved.")
    panel = LabPanel.objects.get(visit=m0)
    assert panel.egfr is not None and panel.upcr_g_g == 2.5

    page.click("[data-crf=labs] a.btn")
    computed = page.inner_text("#computed")
    assert "eGFR" in computed and str(panel.egfr) in computed
    shot(page, "10-labs-computed")

    page.goto(page.base + f"/visits/{m0.pk}/crf/sledai/")
    # descriptors that follow from today's panel are pre-ticked
    assert page.is_checked("#id_low_complement") and page.is_checked("#id_dna_binding")
    assert page.is_checked("#id_haematuria") and page.is_checked("#id_proteinuria")
    page.check("#id_arthritis")
    page.click("button[type=submit]")
    if page.query_selector("#soft-warnings"):
        page.check("input[name=acknowledge]")
        page.click("button[type=submit]")
    page.wait_for_selector("text=saved.")
    s = SledaiAssessment.objects.get(visit=m0)
    assert s.total == 4 + 4 + 2 + 2 + 4  # proteinuria, haematuria, complement, dsDNA, arthritis
    page.goto(page.base + f"/visits/{m0.pk}/crf/sledai/")
    assert str(s.total) in page.inner_text("#computed")
    shot(page, "11-sledai-computed")

    page.goto(page.base + f"/participants/{p.pk}/schedule/")
    assert page.inner_text("[data-cell=labs-m0]").strip() == "✓"
    shot(page, "12-schedule-grid")
    page.click("nav >> text=Worklist")
    assert p.participant_code in page.inner_text("[data-section=due]")
    shot(page, "13-worklist")
