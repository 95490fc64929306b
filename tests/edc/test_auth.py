"""Sign-in: lockout after 5 failures (django-axes), idle and absolute session timeouts,
passwords of at least 12 characters."""
import time

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from edc import roles
from edc.middleware import SESSION_STARTED
from tests import factories

pytestmark = pytest.mark.django_db


def sign_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_a_user_signs_in_and_lands_home(client, clinician):
    r = sign_in(client, clinician.username, factories.PASSWORD)
    assert r.status_code == 302 and r["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_a_wrong_password_says_so(client, clinician):
    r = sign_in(client, clinician.username, "not-the-password")
    assert r.status_code == 200 and b"correct username and password" in r.content


def test_five_failures_lock_the_account_even_with_the_right_password(client, clinician):
    for _ in range(5):
        sign_in(client, clinician.username, "wrong-password-123")
    r = sign_in(client, clinician.username, factories.PASSWORD)
    assert r.status_code == 429 and b"Account locked" in r.content
    assert client.get(reverse("home")).status_code == 302  # still not signed in


def test_four_failures_do_not_lock(client, clinician):
    for _ in range(4):
        sign_in(client, clinician.username, "wrong-password-123")
    assert sign_in(client, clinician.username, factories.PASSWORD).status_code == 302


def test_passwords_shorter_than_12_are_refused(clinician):
    with pytest.raises(ValidationError, match="at least 12"):
        validate_password("Short-pw-1", clinician)
    validate_password("a-long-enough-passphrase", clinician)


def test_idle_timeout_is_30_minutes_renewed_on_each_request(settings, client, clinician):
    assert settings.SESSION_COOKIE_AGE == 1800 and settings.SESSION_SAVE_EVERY_REQUEST


def test_a_session_older_than_12_hours_ends(client, clinician):
    sign_in(client, clinician.username, factories.PASSWORD)
    session = client.session
    session[SESSION_STARTED] = time.time() - 12 * 3600 - 5
    session.save()
    r = client.get(reverse("home"))
    assert r.status_code == 302 and r["Location"].startswith(reverse("login"))


def test_sign_out_needs_post(client, clinician):
    sign_in(client, clinician.username, factories.PASSWORD)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_data_manager_reaches_the_admin_but_a_clinician_does_not(site, client_for):
    dm = factories.make_user(roles.DATA_MANAGER, site)
    clin = factories.make_user(roles.CLINICIAN, site)
    assert client_for(dm).get("/admin/edc/user/").status_code == 200
    assert client_for(clin).get("/admin/").status_code == 302
