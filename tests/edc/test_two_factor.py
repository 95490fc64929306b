"""Two-step sign-in: TOTP for the PI, the unblinded roles, the data manager and the admin;
nobody else is touched."""
import logging
import uuid
from base64 import b32decode
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from edc import roles
from edc.access import PUBLIC
from edc.models import TwoFactorReset, User
from edc.services import two_factor as svc
from tests import factories

pytestmark = pytest.mark.django_db

HOME = reverse("home")
VERIFY = reverse("two_factor_verify")
ENROL = reverse("two_factor_enrol")


def password_sign_in(user) -> Client:
    c = Client()
    r = c.post(reverse("login"), {"username": user.username, "password": factories.PASSWORD})
    assert r.status_code == 302, "the password step failed"
    return c


def wrong_code(device) -> str:
    right = factories.totp_code(device)
    return f"{(int(right) + 1) % 1_000_000:06d}"


@pytest.mark.parametrize("role", roles.ALL_ROLES)
def test_only_the_roles_that_need_it_are_stopped_after_the_password(role, site):
    user = factories.make_user(role, site)
    c = password_sign_in(user)
    r = c.get(HOME)
    if role in roles.TWO_FACTOR_ROLES:
        assert r.status_code == 302 and r["Location"] == f"{ENROL}?next=%2F"
        factories.authenticator(user)
        assert c.get(HOME)["Location"] == f"{VERIFY}?next=%2F"
    else:
        assert r.status_code == 200
        assert c.get(VERIFY)["Location"] == HOME  # nothing to do there


def test_the_roles_are_the_pi_the_unblinded_roles_and_the_data_manager():
    assert roles.TWO_FACTOR_ROLES == {roles.PRINCIPAL_INVESTIGATOR, roles.RANDOMIZATION_ADMIN,
                                      roles.PHARMACIST, roles.DATA_MANAGER}


def test_every_non_public_page_is_refused_until_verified(site, clinician):
    from tests.url_objects import url_objects
    from tests.url_walk import kwargs_for, routes

    pi = factories.make_user(roles.PRINCIPAL_INVESTIGATOR, site)
    factories.authenticator(pi)
    c = password_sign_in(pi)
    objects = url_objects(site, clinician)
    checked = 0
    for route in routes():
        if route.access == PUBLIC or not (route.access & {roles.PRINCIPAL_INVESTIGATOR}):
            continue
        try:
            url = reverse(route.name, kwargs=kwargs_for(route, objects))
        except pytest.skip.Exception:  # no object for this route yet (skipped in the walk too)
            continue
        r = c.get(url)
        assert r.status_code in (302, 403) and VERIFY in r.get("Location", VERIFY), url
        checked += 1
    assert checked > 10


def test_json_and_api_calls_answer_403_not_a_redirect(site):
    dm = factories.make_user(roles.DATA_MANAGER, site)
    factories.authenticator(dm)
    c = password_sign_in(dm)
    r = c.get(reverse("export_progress", args=[uuid.uuid4()]))
    assert r.status_code == 403 and r.json()["error"] == "two-factor verification required"
    assert c.get(HOME, HTTP_ACCEPT="application/json").status_code == 403


def test_sign_out_stays_reachable_before_the_second_step(site):
    pi = factories.make_user(roles.PRINCIPAL_INVESTIGATOR, site)
    c = password_sign_in(pi)
    r = c.post(reverse("logout"))
    assert r.status_code == 302 and r["Location"] == reverse("login")
    assert c.get(ENROL)["Location"].startswith(reverse("login"))  # signed out now


def test_the_steps_send_anonymous_users_to_sign_in(client):
    for url in (VERIFY, ENROL):
        r = client.get(url)
        assert r.status_code == 302 and r["Location"].startswith(reverse("login"))


# --- enrolment ---

def test_enrolment_shows_a_qr_code_and_the_key_of_a_pending_device(site):
    pi = factories.make_user(roles.PRINCIPAL_INVESTIGATOR, site)
    c = password_sign_in(pi)
    r = c.get(ENROL)
    device = TOTPDevice.objects.get(user=pi)
    assert not device.confirmed
    body = r.content.decode()
    assert r.status_code == 200 and "<svg" in body and 'class="segno"' in body
    shown = r.context["secret"].replace(" ", "")
    assert b32decode(shown) == device.bin_key
    assert c.get(ENROL).context["secret"] == r.context["secret"]  # the same device on a reload
    assert TOTPDevice.objects.filter(user=pi).count() == 1


def test_a_wrong_code_at_enrolment_confirms_nothing(site):
    pi = factories.make_user(roles.PRINCIPAL_INVESTIGATOR, site)
    c = password_sign_in(pi)
    c.get(ENROL)
    device = TOTPDevice.objects.get(user=pi)
    for bad in ("12345", "abcdef", ""):
        r = c.post(ENROL, {"code": bad})
        assert r.status_code == 200 and r.context["form"].errors["code"]
    r = c.post(ENROL, {"code": wrong_code(device)})
    assert r.status_code == 200 and "That code is not right" in r.content.decode()
    device.refresh_from_db()
    assert not device.confirmed and device.throttling_failure_count == 1
    assert c.get(HOME)["Location"].startswith(ENROL)


def test_a_right_code_confirms_the_device_and_opens_the_session(site):
    pi = factories.make_user(roles.PRINCIPAL_INVESTIGATOR, site)
    c = password_sign_in(pi)
    c.get(ENROL + "?next=/participants/")
    device = TOTPDevice.objects.get(user=pi)
    key_before = c.session.session_key
    r = c.post(ENROL, {"code": factories.totp_code(device), "next": "/participants/"})
    assert r.status_code == 302 and r["Location"] == "/participants/"
    device.refresh_from_db()
    assert device.confirmed
    assert c.get(HOME).status_code == 200
    assert c.session.session_key != key_before  # a new session key once verified
    assert c.get(ENROL)["Location"] == HOME  # nothing more to do


def test_a_user_with_a_device_cannot_enrol_another_with_the_password_alone(site):
    pi = factories.make_user(roles.PRINCIPAL_INVESTIGATOR, site)
    device = factories.authenticator(pi)
    c = password_sign_in(pi)
    assert c.get(ENROL)["Location"].startswith(VERIFY)
    rogue = TOTPDevice.objects.create(user=pi, name="rogue", confirmed=False)
    with pytest.raises(ValidationError, match="already have an authenticator"):
        svc.confirm_enrolment(pi, rogue, factories.totp_code(rogue))
    rogue.refresh_from_db()
    assert not rogue.confirmed and TOTPDevice.objects.filter(user=pi, confirmed=True).get() == device


# --- verification ---

def test_a_wrong_code_is_refused_clearly_and_logged(site, caplog):
    ra = factories.make_user(roles.RANDOMIZATION_ADMIN, site)
    device = factories.authenticator(ra)
    c = password_sign_in(ra)
    with caplog.at_level(logging.WARNING, logger="edc.two_factor"):
        r = c.post(VERIFY, {"code": wrong_code(device)})
    assert r.status_code == 200 and "That code is not right" in r.content.decode()
    assert f"wrong two-factor code for {ra.username}" in caplog.text
    assert c.get(HOME)["Location"].startswith(VERIFY)


def test_the_right_code_lets_the_user_in_and_is_accepted_once(site):
    pharmacist = factories.make_user(roles.PHARMACIST, site)
    device = factories.authenticator(pharmacist)
    c = password_sign_in(pharmacist)
    code = factories.totp_code(device)
    r = c.post(VERIFY, {"code": code, "next": reverse("pharmacy_worklist")})
    assert r.status_code == 302 and r["Location"] == reverse("pharmacy_worklist")
    assert c.get(reverse("pharmacy_worklist")).status_code == 200
    other = password_sign_in(pharmacist)  # the same code again, in another session: refused
    assert "That code is not right" in other.post(VERIFY, {"code": code}).content.decode()


def test_next_never_leads_off_site(site):
    pi = factories.make_user(roles.PRINCIPAL_INVESTIGATOR, site)
    device = factories.authenticator(pi)
    c = password_sign_in(pi)
    r = c.post(VERIFY, {"code": factories.totp_code(device), "next": "https://evil.example.org/"})
    assert r["Location"] == HOME


def test_wrong_codes_throttle_the_device(site, caplog):
    dm = factories.make_user(roles.DATA_MANAGER, site)
    device = factories.authenticator(dm)
    c = password_sign_in(dm)
    c.post(VERIFY, {"code": wrong_code(device)})
    with caplog.at_level(logging.WARNING, logger="edc.two_factor"):
        r = c.post(VERIFY, {"code": factories.totp_code(device)})  # right, but too soon
    assert "Too many wrong codes" in r.content.decode() and "throttled" in caplog.text
    assert c.get(HOME)["Location"].startswith(VERIFY)
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # a refused attempt does not count twice
    # once the wait (1 s after one failure) is over, the right code is accepted
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(seconds=2))
    assert c.post(VERIFY, {"code": factories.totp_code(device)}).status_code == 302
    assert c.get(HOME).status_code == 200
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_nav_links_are_hidden_before_the_second_step(site):
    pi = factories.make_user(roles.PRINCIPAL_INVESTIGATOR, site)
    factories.authenticator(pi)
    body = password_sign_in(pi).get(VERIFY).content.decode()
    assert 'class="nav"' in body and reverse("participant_list") not in body and reverse("inbox") not in body


# --- the admin and the API ---

def test_the_admin_needs_the_second_step_too(site):
    dm = factories.make_user(roles.DATA_MANAGER, site)
    device = factories.authenticator(dm)
    c = password_sign_in(dm)
    for url in ("/admin/", "/admin/edc/user/", "/admin/login/"):
        r = c.get(url)
        assert r.status_code == 302 and r["Location"].startswith(VERIFY), url
    c.post(VERIFY, {"code": factories.totp_code(device)})
    assert c.get("/admin/edc/user/").status_code == 200


def test_superusers_and_staff_need_it_whatever_their_roles(site):
    boss = User.objects.create_superuser("boss", "boss@example.org", factories.PASSWORD)
    staff = User.objects.create_user("staffer", password=factories.PASSWORD, is_staff=True)
    for user in (boss, staff):
        c = password_sign_in(user)
        r = c.get("/admin/")
        assert r.status_code == 302 and r["Location"].startswith(ENROL)
        c.get(ENROL)
        device = TOTPDevice.objects.get(user=user)
        assert c.post(ENROL, {"code": factories.totp_code(device)}).status_code == 302
    assert c.get("/admin/").status_code == 200


def test_the_statistician_token_api_is_not_affected(site):
    statistician = factories.make_user(roles.STATISTICIAN, site)
    c = password_sign_in(statistician)
    key = c.post(reverse("api_token")).context["key"]
    url = reverse("api_dataset", args=["participants"])
    assert Client().get(url, HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    pi = factories.make_user(roles.PRINCIPAL_INVESTIGATOR, site)
    pending = password_sign_in(pi)  # a half-signed-in browser session does not change token calls
    assert pending.get(url, HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    assert pending.get(url).status_code == 401


# --- reset by the data manager ---

def test_the_data_manager_resets_a_lost_authenticator_in_the_admin_with_a_reason(site, client_for):
    dm = factories.make_user(roles.DATA_MANAGER, site)
    pi = factories.make_user(roles.PRINCIPAL_INVESTIGATOR, site)
    pi_session = client_for(pi)
    assert pi_session.get(HOME).status_code == 200
    admin = client_for(dm)
    add = "/admin/edc/twofactorreset/add/"
    assert admin.get(add).status_code == 200
    r = admin.post(add, {"user": pi.pk, "reason": "  "})
    assert r.status_code == 200 and TOTPDevice.objects.filter(user=pi).exists()
    assert not TwoFactorReset.objects.exists()
    r = admin.post(add, {"user": pi.pk, "reason": "Phone lost on the ward"})
    assert r.status_code == 302
    record = TwoFactorReset.objects.get()
    assert (record.user, record.reset_by, record.reason, record.devices_removed) == (
        pi, dm, "Phone lost on the ward", 1)
    assert not TOTPDevice.objects.filter(user=pi).exists()
    assert pi_session.get(HOME)["Location"].startswith(ENROL)  # enrols again, also mid-session
    assert admin.get("/admin/edc/twofactorreset/").status_code == 200
    assert admin.get(f"/admin/edc/twofactorreset/{record.pk}/change/").status_code == 200  # view only
    assert admin.post(f"/admin/edc/twofactorreset/{record.pk}/delete/").status_code == 403


def test_only_a_data_manager_may_reset(site):
    pi = factories.make_user(roles.PRINCIPAL_INVESTIGATOR, site)
    factories.authenticator(pi)
    clinician = factories.make_user(roles.CLINICIAN, site)
    with pytest.raises(PermissionDenied):
        svc.reset_devices(pi, by=clinician, reason="I say so")
    with pytest.raises(ValidationError):
        svc.reset_devices(pi, by=factories.make_user(roles.DATA_MANAGER, site), reason="")
    assert TOTPDevice.objects.filter(user=pi).count() == 1 and not TwoFactorReset.objects.exists()


def test_the_admin_lists_devices_without_their_keys(site, client_for):
    dm = factories.make_user(roles.DATA_MANAGER, site)
    device = factories.authenticator(factories.make_user(roles.PHARMACIST, site))
    admin = client_for(dm)
    assert admin.get("/admin/otp_totp/totpdevice/").status_code == 200
    page = admin.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
    assert page.status_code == 200 and device.key not in page.content.decode()
    assert admin.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/").status_code == 403


# --- the demo ---

def test_demo_users_who_need_it_have_the_demo_authenticator(db, settings):
    from edc.management.commands.load_demo_trial import DEMO_TOTP_SECRET, USERS

    settings.DEBUG = True  # the demo loader refuses otherwise (published secrets)
    call_command("load_demo_trial", stdout=open("/dev/null", "w"))
    call_command("load_demo_trial", stdout=open("/dev/null", "w"))  # idempotent
    key = b32decode(DEMO_TOTP_SECRET).hex()
    for username, role, *_ in USERS:
        devices = TOTPDevice.objects.filter(user__username=username)
        if role in roles.TWO_FACTOR_ROLES:
            assert [(d.key, d.confirmed) for d in devices] == [(key, True)], username
        else:
            assert not devices.exists(), username


def test_demo_totp_refuses_unless_debug(settings, site):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo_totp", "anyone")


def test_demo_totp_prints_a_code_the_verify_page_accepts(settings, site, capsys):
    settings.DEBUG = True
    dm = factories.make_user(roles.DATA_MANAGER, site)
    factories.authenticator(dm)
    call_command("demo_totp", dm.username)
    code = capsys.readouterr().out.strip()
    c = password_sign_in(dm)
    assert c.post(VERIFY, {"code": code}).status_code == 302
    assert c.get(HOME).status_code == 200
    call_command("demo_totp", dm.username)  # used once: the next step's code, still accepted
    second = password_sign_in(dm)
    assert second.post(VERIFY, {"code": capsys.readouterr().out.strip()}).status_code == 302
    with pytest.raises(CommandError, match="no confirmed authenticator"):
        call_command("demo_totp", factories.make_user(roles.CLINICIAN, site).username)
