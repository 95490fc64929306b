"""In the browser: a PI enrols an authenticator app at first sign-in; the pages keep to
the Content-Security-Policy (Chromium reports no violation) and their scripts still run."""
from base64 import b32decode

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from edc import roles
from exports.models import ExportRun
from tests import factories

from .conftest import shot
from .test_enrolment_path import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_pi_enrols_an_authenticator_at_first_sign_in(page):
    site = factories.make_site("plagh", "BJ")
    pi = factories.make_user(roles.PRINCIPAL_INVESTIGATOR, site)
    page.goto(page.base + "/login/")
    page.fill("#id_username", pi.username)
    page.fill("#id_password", factories.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#two-factor-enrol svg.segno")
    shot(page, "16-two-factor-enrol")
    page.goto(page.base + "/participants/")  # nothing else opens before the second step
    page.wait_for_selector("#two-factor-enrol")
    key = b32decode(page.inner_text("[data-totp-secret]").replace(" ", ""))  # typed into the app
    page.fill("#id_code", f"{(totp(key) + 1) % 1_000_000:06d}")
    page.click("button[type=submit]")
    assert "That code is not right" in page.inner_text("#two-factor-enrol .errorlist")
    # django-otp throttles for 1 s after one wrong code: the right code is refused with "wait" until
    # then (a throttled try does not count), so submit it until the page moves on.
    for _ in range(30):
        page.fill("#id_code", f"{totp(key):06d}")
        page.click("button[type=submit]")
        page.wait_for_load_state("load")
        if page.url == page.base + "/participants/":
            break
        assert "Too many wrong codes" in page.inner_text("#two-factor-enrol .errorlist")
    page.wait_for_url(page.base + "/participants/")
    assert TOTPDevice.objects.get(user=pi).confirmed


def watch_csp(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    return errors


def test_pages_keep_to_the_content_security_policy(page):
    site = factories.make_site("plagh", "BJ")
    clinician = factories.make_user(roles.CLINICIAN, site)
    dm = factories.make_user(roles.DATA_MANAGER, site)
    factories.strata_and_list(seed=5)
    p = factories.randomized_participant(site, clinician)
    run = ExportRun.objects.create(requested_by=dm, status=ExportRun.Status.RUNNING, progress_total=4,
                                   progress_done=1, progress_label="participants",
                                   site_ids=[site.pk])  # a run of the data manager's own site: visible
    violations = watch_csp(page)
    sign_in(page, dm)
    for path in ["/", "/participants/", f"/participants/{p.pk}/", "/safety/", "/exports/",
                 "/exports/report/", "/admin/", f"/admin/edc/user/{clinician.pk}/change/",
                 "/admin/edc/twofactorreset/add/", "/access/", f"/access/users/{clinician.pk}/"]:
        page.goto(page.base + path)
        page.wait_for_load_state("load")
    page.goto(page.base + f"/exports/{run.pk}/")
    ExportRun.objects.filter(pk=run.pk).update(progress_done=3, progress_label="visits")
    page.wait_for_selector("#label:text-is('visits')")  # the poll ran
    assert page.get_attribute("#bar", "value") == "75"
    assert violations == []
    # positive control: an inline script is refused and reported
    with page.expect_console_message(lambda m: "Content Security Policy" in m.text):
        try:
            page.add_script_tag(content="document.body.dataset.injected = '1'")
        except Exception:
            pass  # Playwright reports the blocked script as an error too
    assert page.get_attribute("body", "data-injected") is None and violations
