"""Nothing a user typed is lost (docs/WORKFLOW.md): the idle warning with "Stay signed in", then a
session that ends while a form is being typed; the values come back after a fresh sign-in, marked
as not saved yet, are saved, and never rest readable in the browser. Every wait is on visible
state (the banner, the page), never a fixed sleep: the idle timeout is shortened for the test."""
import json

import pytest
from django.utils import timezone

from crf.models.labs import LabPanel
from edc import roles
from tests import factories

from .conftest import shot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

IDLE = 20  # seconds of inactivity before the session ends (production: 1800)


def drafts_in(page) -> list[str]:
    return page.evaluate("""() => Object.keys(sessionStorage).filter(k => k.startsWith('edc-draft:'))
                                       .map(k => sessionStorage.getItem(k))""")


def test_typed_values_survive_the_end_of_the_session(page, settings):
    settings.SESSION_COOKIE_AGE = IDLE
    settings.SESSION_WARN_SECONDS = IDLE // 2  # the banner shows for the last 10 seconds
    site = factories.make_site("plagh", "BJ")
    clinician = factories.make_user(roles.CLINICIAN, site)
    factories.strata_and_list()
    p = factories.randomized_participant(site, clinician)
    m0 = p.visits.get(code="m0")
    form_url = page.base + f"/visits/{m0.pk}/crf/labs/"

    page.goto(page.base + "/login/")
    page.fill("#id_username", clinician.username)
    page.fill("#id_password", factories.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(page.base + "/")
    page.goto(form_url)
    page.fill("#id_sample_date", timezone.localdate().isoformat())
    page.fill("#id_upcr_value", "2.5")
    page.select_option("#id_upcr_unit", "g/g")
    page.check("input[name=upcr_specimen][value=spot]")
    page.fill("#id_creatinine_value", "83")
    page.select_option("#id_creatinine_unit", "umol/L")
    page.fill("#id_c3_g_l", "0.5")
    page.fill("#id_anti_dsdna_iu_ml", "300")
    page.fill("#id_urine_rbc_hpf", "12")
    page.fill("#id_platelets_10e9_l", "187")

    # The warning comes before the end, and "Stay signed in" renews the session.
    page.wait_for_selector("#session-warning [data-stay]", state="visible", timeout=2 * IDLE * 1000)
    assert "Your session ends in" in page.inner_text("#session-warning")
    shot(page, "40-session-warning")
    page.click("#session-warning [data-stay]")
    page.wait_for_selector("#session-warning", state="hidden")

    # What was typed is kept, encrypted: the typed numbers are not readable in the tab's storage.
    stored = drafts_in(page)
    # one encrypted copy: a time, an IV and the ciphertext, no field of the form in clear (digits such as
    # "187" may occur in base64 by chance, so the test reads the structure, not the text)
    assert len(stored) == 1 and set(json.loads(stored[0])) == {"t", "iv", "ct"}

    # The session ends: the banner says so; saving now leads to the sign-in page, nothing saved.
    page.wait_for_selector("#session-warning [data-signin]", state="visible", timeout=2 * IDLE * 1000)
    assert "Your session has ended" in page.inner_text("#session-warning")
    page.click("button[type=submit]:not([name])")
    page.wait_for_selector("#draft-kept", state="visible")
    assert "/login/" in page.url and not LabPanel.objects.filter(visit=m0).exists()
    shot(page, "41-session-ended-sign-in")

    page.fill("#id_username", clinician.username)
    page.fill("#id_password", factories.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(form_url)
    page.wait_for_selector("#draft-restored", state="visible")
    assert page.input_value("#id_creatinine_value") == "83" and page.input_value("#id_platelets_10e9_l") == "187"
    assert page.is_visible("#field-platelets_10e9_l .restored-tag")  # marked: not saved yet
    shot(page, "42-draft-restored")

    page.check("input[name=upcr_specimen][value=spot]")  # the specimen (a radio) is given again if not restored
    page.click("button[type=submit]:not([name])")
    if page.query_selector("#soft-warnings"):
        page.check("input[name=acknowledge]")
        page.click("button[type=submit]:not([name])")
    page.wait_for_selector("text=Laboratory panel saved.")
    shot(page, "43-draft-saved")
    panel = LabPanel.objects.get(visit=m0)
    assert panel.platelets_10e9_l == 187 and panel.creatinine_value == 83
    assert drafts_in(page) == []  # saved: the browser's copy is gone


def test_signing_out_removes_the_copy_and_another_user_cannot_read_it(page, settings):
    site = factories.make_site("plagh", "BJ")
    clinician = factories.make_user(roles.CLINICIAN, site)
    colleague = factories.make_user(roles.COORDINATOR, site)
    factories.strata_and_list()
    p = factories.randomized_participant(site, clinician)
    form_url = page.base + f"/visits/{p.visits.get(code='m0').pk}/crf/labs/"

    def sign_in(user):
        page.goto(page.base + "/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", factories.PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(page.base + "/")

    sign_in(clinician)
    page.goto(form_url)
    page.fill("#id_platelets_10e9_l", "201")
    page.wait_for_function("() => Object.keys(sessionStorage).some(k => k.startsWith('edc-draft:'))")
    copy = page.evaluate("() => JSON.stringify(sessionStorage)")

    # A colleague on the same tab, even with the copy put back, cannot read it: it is dropped.
    page.once("dialog", lambda dialog: dialog.accept())  # "leave the page with unsaved changes?"
    page.click("form[action$='/logout/'] button")
    page.wait_for_url("**/login/**")
    assert drafts_in(page) == []  # signing out removed it
    page.evaluate("(s) => { const o = JSON.parse(s); for (const k in o) sessionStorage.setItem(k, o[k]); }", copy)
    sign_in(colleague)
    page.goto(form_url)
    page.wait_for_function("() => !Object.keys(sessionStorage).some(k => k.startsWith('edc-draft:'))")
    assert page.input_value("#id_platelets_10e9_l") == "" and not page.is_visible("#draft-restored")
