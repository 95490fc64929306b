"""Shared fixtures: real PostgreSQL (pytest-django), real Redis (cache), people per role."""
import pytest
from django.core.cache import cache

from edc import roles
from tests import factories


@pytest.fixture(autouse=True)
def _english_and_clean_cache(settings):
    settings.LANGUAGE_CODE = "en"
    # Fast hashing in tests only: PBKDF2's million rounds would dominate the suite's time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    yield


@pytest.fixture
def site(db):
    return factories.make_site("plagh", "BJ")


@pytest.fixture
def other_site(db):
    return factories.make_site("other", "OT")


@pytest.fixture
def clinician(site):
    return factories.make_user(roles.CLINICIAN, site)


@pytest.fixture
def other_clinician(other_site):
    return factories.make_user(roles.CLINICIAN, other_site)


@pytest.fixture
def users_by_role(site):
    """One user per role at `site`."""
    return {role: factories.make_user(role, site) for role in roles.ALL_ROLES}


@pytest.fixture
def client_for(client):
    """Sign `user` in on a fresh test client (second factor already verified where the role needs it)."""
    return factories.signed_in_client
