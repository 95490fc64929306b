"""In the browser: a monitor raises a query, the clinician answers with a corrected value, the
monitor closes it and verifies the form, the PI signs the casebook, the data manager locks it —
and the audit trail shows all of it."""
import pytest

from crf.models import Lock, Query, Signature
from edc import roles
from tests import factories
from tests.crf import helpers as h

from .conftest import shot
from .test_enrolment_path import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def as_user(browser, base, user):
    page = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(15000)
    page.base = base
    sign_in(page, user)
    return page


def test_query_correction_verification_signature_and_lock(page, browser):
    site = factories.make_site("plagh", "BJ")
    clinician = factories.make_user(roles.CLINICIAN, site)
    monitor = factories.make_user(roles.MONITOR, site)
    pi = factories.make_user(roles.PRINCIPAL_INVESTIGATOR, site)
    dm = factories.make_user(roles.DATA_MANAGER, site)
    p = h.participant(site, clinician)  # month 0 still open: the saved labs are all the casebook expects
    v = h.visit(p, "m0")
    labs, _ = h.save("labs", v, clinician, acknowledge=True, **h.lab_values(v))
    form_url = f"/visits/{v.pk}/crf/labs/"

    mon = as_user(browser, page.base, monitor)
    mon.goto(mon.base + form_url)
    mon.select_option("#review select[name=field_name]", "alt_u_l")
    mon.fill("#review textarea[name=text]", "Source lab report says ALT 28")
    mon.click("#review >> text=Raise query")
    mon.wait_for_selector("text=Query raised.")

    sign_in(page, clinician)
    page.click("nav >> text=Queries")
    page.click("#queries >> text=Source lab report says ALT 28")
    page.fill("textarea[name=text]", "Transcription error")
    page.fill("input[name=new_value]", "28")
    page.click("text=Answer >> nth=-1")
    page.wait_for_selector("text=Query updated.")
    shot(page, "14-query-answered")

    q = Query.objects.get()
    mon.goto(mon.base + f"/queries/{q.pk}/")
    mon.click("button:has-text('Close query')")
    mon.wait_for_selector("text=Query updated.")
    mon.goto(mon.base + form_url)
    mon.click("text=Mark verified against source")
    mon.wait_for_selector("[data-verified]")

    pi_page = as_user(browser, page.base, pi)
    pi_page.goto(pi_page.base + f"/participants/{p.pk}/sign/")
    pi_page.fill("#id_password", factories.PASSWORD)
    pi_page.click("main form.edc button")
    pi_page.wait_for_selector("text=Signed.")

    dm_page = as_user(browser, page.base, dm)
    dm_page.goto(dm_page.base + f"/participants/{p.pk}/lock/")
    dm_page.click("button:has-text('Lock the casebook')")
    dm_page.wait_for_selector("[data-casebook-locked]")
    shot(dm_page, "15-casebook-locked")

    labs.refresh_from_db()
    assert str(labs.alt_u_l) == "28.0" and labs.verified_by == monitor
    assert Signature.objects.get().valid and Lock.objects.get().active

    mon.goto(mon.base + form_url)
    assert mon.get_attribute("[data-form-status]", "data-form-status") == "locked"
    mon.click("text=Audit trail of this form")
    audit = mon.inner_text("body")
    assert "Query answer: Transcription error" in audit and "Source data verified" in audit
    assert pi.printed_name in audit
    shot(mon, "16-form-audit-trail")
