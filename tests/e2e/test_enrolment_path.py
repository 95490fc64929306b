"""A clinician signs in and walks screening -> consent -> eligibility -> enrolment in a browser."""
from datetime import timedelta

import pytest
from django.utils import timezone

from edc import roles
from edc.models import Participant
from tests import factories

from .conftest import shot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page, user):
    """Password, then (PI, unblinded roles, data manager) the code of their authenticator."""
    from edc.two_factor import needs_two_factor

    device = factories.authenticator(user) if needs_two_factor(user) else None
    page.goto(page.base + "/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", factories.PASSWORD)
    page.click("button[type=submit]")
    if device is not None:
        page.wait_for_selector("#two-factor-verify")
        page.fill("#id_code", factories.totp_code(device))
        page.click("button[type=submit]")
    page.wait_for_url(page.base + "/")


def choose(page, name: str, value: str):
    page.check(f"input[name={name}][value='{value}']")


def test_a_clinician_enrols_and_randomizes_a_participant(page):
    site = factories.make_site("plagh", "BJ")
    clinician = factories.make_user(roles.CLINICIAN, site, username="dr_li")
    factories.strata_and_list(seed=20241001)
    today = timezone.localdate(timezone=factories.SHANGHAI)
    screening_day = today - timedelta(days=1)

    sign_in(page, clinician)
    shot(page, "01-home")
    page.click("text=New screening")
    page.fill("#id_screening_number", "001")
    page.fill("#id_screening_date", screening_day.isoformat())
    page.fill("#id_initials", "zxm")
    page.fill("#id_date_of_birth", "1990-05-17")
    choose(page, "sex", "F")
    page.click("button[type=submit]")
    page.wait_for_selector("text=Screening 001 added.")

    page.click("[data-consent=main] >> text=Record")
    choose(page, "kind", "main")
    page.fill("#id_form_version", "1.0")
    page.fill("#id_consented_at", f"{screening_day.isoformat()}T09:30")
    page.click("button[type=submit]")
    page.wait_for_selector("text=Consent recorded.")

    page.click("text=Assess eligibility")
    page.fill("#id_acr_criteria_met", "6")
    page.fill("#id_biopsy_date", (screening_day - timedelta(days=200)).isoformat())
    page.select_option("#id_biopsy_class", "IV")
    choose(page, "biopsy_active", "True")
    page.fill("#id_first_line_start_date", (screening_day - timedelta(days=250)).isoformat())
    page.select_option("#id_first_line_response", "none")
    choose(page, "severe_hepatic_dysfunction", "False")
    page.fill("#id_creatinine_value", "80")
    page.select_option("#id_creatinine_unit", "umol/L")
    page.fill("#id_creatinine_date", screening_day.isoformat())
    for n in (2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14):
        choose(page, f"exc{n}", "False")
    shot(page, "02-eligibility-form")
    page.click("button[type=submit]")
    page.wait_for_selector("[data-verdict=eligible]")
    assert "eGFR" in page.inner_text(".steps")

    page.click("a.btn >> text=Enrol")
    choose(page, "prior_therapy", "gc_mpaa")
    page.click("button[type=submit]")
    page.wait_for_selector("text=Enrolled as BJ-001.")
    assert page.inner_text("[data-participant-id]") == "BJ-001"
    shot(page, "03-enrolled")

    p = Participant.objects.get()
    assert p.status == "enrolled" and p.initials == "ZXM" and p.enrolled_by == clinician

    page.click("a.btn >> text=Randomize")
    page.check("#id_confirm")
    page.click("button[type=submit]")
    page.wait_for_selector("[data-blind-code]")
    code = page.inner_text("[data-blind-code]")
    assert f"Blind code: {code}" in page.inner_text(".messages")
    assert Participant.objects.get().randomization.blind_code == code
    assert page.query_selector("[data-arm]") is None  # the clinician is blinded
    shot(page, "04-randomized")

    page.click("text=Audit trail")
    page.wait_for_selector("table.audit")
    assert "Enrolled" in page.inner_text("table.audit") and "Randomized" in page.inner_text("table.audit")
    shot(page, "05-audit-trail")


def test_a_bad_date_of_birth_is_shown_next_to_the_field(page):
    site = factories.make_site("plagh", "BJ")
    clinician = factories.make_user(roles.CLINICIAN, site)
    sign_in(page, clinician)
    page.goto(page.base + "/screening/new/")
    today = timezone.localdate(timezone=factories.SHANGHAI)
    page.fill("#id_screening_number", "002")
    page.fill("#id_screening_date", today.isoformat())
    page.fill("#id_initials", "AB")
    page.fill("#id_date_of_birth", (today + timedelta(days=3)).isoformat())
    choose(page, "sex", "M")
    page.click("button[type=submit]")
    assert "cannot be in the future" in page.inner_text("#field-date_of_birth")
    assert Participant.objects.count() == 0
