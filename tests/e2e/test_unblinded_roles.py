"""The pharmacist prepares a bag and opens its label; a PI emergency-unblinds one participant."""
import pytest
from django.utils import timezone

from edc import roles
from tests import factories

from .conftest import shot
from .test_enrolment_path import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_pharmacist_prepares_a_bag_and_prints_its_label(page):
    site = factories.make_site("plagh", "BJ")
    clinician = factories.make_user(roles.CLINICIAN, site)
    factories.strata_and_list(seed=3)
    p = factories.randomized_participant(site, clinician)
    pharmacist = factories.make_user(roles.PHARMACIST, site)
    checker = factories.make_user(roles.PHARMACIST, site)  # the second person who checks
    sign_in(page, pharmacist)
    page.click("nav >> text=Pharmacy")
    assert p.randomization.blind_code in page.inner_text("table")
    page.click("a.btn >> text=Prepare")
    page.fill("#id_body_weight_kg", "58.0")
    page.fill("#id_product_lot", "MSC-2026-11")
    page.fill("#id_cell_count", "58000000")
    page.fill("#id_viability_pct", "93.5")
    now = timezone.localtime(timezone.now(), factories.SHANGHAI)
    page.fill("#id_prepared_at", now.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_checker_username", checker.username)  # four eyes: the checker's own credentials
    page.fill("#id_checker_password", factories.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=Label PDF")
    assert "58,000,000" in page.inner_text("table") or "58000000" in page.inner_text("table")
    shot(page, "06-pharmacy")
    response = page.request.get(page.base + f"/pharmacy/{p.pk}/m0/label.pdf")
    assert response.ok and response.body().startswith(b"%PDF")


def test_a_pi_unblinds_one_participant_in_an_emergency(page):
    site = factories.make_site("plagh", "BJ")
    clinician = factories.make_user(roles.CLINICIAN, site)
    factories.strata_and_list(seed=4)
    factories.external_contacts()
    p = factories.randomized_participant(site, clinician)
    pi = factories.grant_code_break(factories.make_user(roles.PRINCIPAL_INVESTIGATOR, site))
    sign_in(page, pi)
    page.goto(page.base + f"/participants/{p.pk}/")
    page.click("text=Emergency unblinding")
    page.fill("#id_reason", "Anaphylactic shock after infusion; ICU needs the allocation")
    page.fill("#id_password", factories.PASSWORD)
    page.fill("#id_code", factories.totp_code(factories.authenticator(pi)))  # protocol 2.8.2: second factor
    page.click("button[type=submit]")
    page.wait_for_selector("[data-arm]")
    assert page.inner_text("[data-arm]") == str(p.randomization.row.get_arm_display())
    assert "sponsor@example.org" in page.inner_text("table")
    shot(page, "07-unblinded")
