"""A clinician reports an SAE in the browser; the PI sees it on the safety dashboard with live
countdowns and receives the alert; recording each report closes its obligation."""
from datetime import timedelta

import pytest
from django.utils import timezone

from edc import roles
from safety.models import SaeObligation
from safety.services.obligations import sweep
from tests import factories

from .conftest import shot
from .test_enrolment_path import choose, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_sae_reaches_the_pi_and_its_obligations_close(page, browser, live_server):
    site = factories.make_site("plagh", "BJ")
    clinician = factories.make_user(roles.CLINICIAN, site)
    pi = factories.make_user(roles.PRINCIPAL_INVESTIGATOR, site)
    factories.strata_and_list()
    factories.external_contacts()
    p = factories.randomized_participant(site, clinician)

    sign_in(page, clinician)
    page.goto(page.base + f"/participants/{p.pk}/")
    page.click("text=Report an adverse event")
    page.fill("#id_term", "Lung infection")
    page.select_option("#id_soc", "Infections and infestations")
    page.fill("#id_onset_date", timezone.localdate().isoformat())
    choose(page, "grade", "3")
    page.check("#id_hospitalisation")
    page.select_option("#id_causality", "possible")
    choose(page, "expected", "False")
    page.select_option("#id_action", "none")
    page.select_option("#id_outcome", "recovering")
    aware = timezone.localtime(timezone.now() - timedelta(minutes=20))
    page.fill("#id_aware_at", aware.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_narrative", "Fever and cough; admitted with pneumonia.")
    page.click("button[type=submit]")
    page.wait_for_selector("#obligations")
    assert page.locator("#obligations tr[data-obligation]").count() == 4
    sweep()  # what beat does every minute

    pi_page = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900}).new_page()
    pi_page.base = page.base
    sign_in(pi_page, pi)
    assert pi_page.locator("[data-unread]").inner_text() == "1"  # one alert listing the 4 obligations
    assert pi_page.locator("#pi-safety").is_visible()  # the PI's safety card on the home page
    shot(pi_page, "07-pi-home-safety")
    pi_page.click("nav >> text=Safety")
    pi_page.wait_for_selector("#open-saes .countdown")
    pi_page.wait_for_timeout(1200)  # the countdown script has ticked
    assert "left" in pi_page.inner_text("#open-saes .countdown >> nth=0")
    shot(pi_page, "08-safety-dashboard")

    pi_page.click(f"#open-saes >> text={p.participant_code}")
    met = timezone.localtime(timezone.now()).strftime("%Y-%m-%dT%H:%M")
    for _ in range(4):
        row = pi_page.locator("#obligations form").first
        row.locator("input[name=met_at]").fill(met)
        row.locator("input[name=how]").fill("e-mail")
        row.locator("button").click()
        pi_page.wait_for_selector(".msg.success")
    assert not SaeObligation.objects.filter(met_at__isnull=True).exists()
    shot(pi_page, "09-sae-obligations-met")
