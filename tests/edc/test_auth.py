"""Sign-in: lockout after 5 failures (django-axes), idle and absolute session timeouts,
passwords of at least 12 characters."""
import time
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.backends.cached_db import SessionStore
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

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


def test_idle_timeout_is_30_minutes_renewed_at_most_once_a_minute(settings, client, clinician):
    assert settings.SESSION_COOKIE_AGE == 1800 and settings.SESSION_TOUCH_SECONDS == 60
    assert not settings.SESSION_SAVE_EVERY_REQUEST  # the middleware decides when to write


def session_writes(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return sum(1 for q in ctx.captured_queries if 'UPDATE "django_session"' in q["sql"])


def expire_date(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_requests_within_a_minute_do_not_write_the_session_and_a_later_one_does(client, clinician):
    """edc.middleware: the idle deadline moves on when the session is written, at most once a minute."""
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, clinician.username, factories.PASSWORD)  # signing in writes the session
        assert session_writes(client, reverse("ping")) == 0
        first = expire_date(client)
        assert first == start + timedelta(seconds=1800)
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        assert session_writes(client, reverse("ping")) == 0
        assert session_writes(client, reverse("home")) == 0
        assert expire_date(client) == first
        page = client.get(reverse("home")).content.decode()
        assert 'data-idle="1770"' in page  # the warning counts down to the deadline as stored
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        assert session_writes(client, reverse("ping")) == 1
        assert expire_date(client) == start + timedelta(seconds=61 + 1800)
    with time_machine.travel(start + timedelta(seconds=70), tick=False):
        # "Stay signed in" always renews in full
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("session_keepalive")).json()["idle_seconds"] == 1800
        assert any('UPDATE "django_session"' in q["sql"] for q in ctx.captured_queries)
        assert expire_date(client) == start + timedelta(seconds=70 + 1800)


def test_a_session_idle_past_the_age_is_signed_out(client, clinician):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, clinician.username, factories.PASSWORD)  # written: the deadline is start + 30 min
    with time_machine.travel(start + timedelta(seconds=50), tick=False):
        assert session_writes(client, reverse("ping")) == 0  # not written: the deadline stays
    with time_machine.travel(start + timedelta(seconds=1801), tick=False):
        # 29 min 11 s after the last request: within the documented minute, the session has ended.
        # Redis drops its copy at the same deadline (the cache entry's timeout is the session's age);
        # time travel does not reach Redis, so drop it as Redis would.
        cache.delete(SessionStore(session_key=client.session.session_key).cache_key)
        r = client.get(reverse("home"))
        assert r.status_code == 302 and r["Location"].startswith(reverse("login"))


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
