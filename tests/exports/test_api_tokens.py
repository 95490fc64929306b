"""The statistician's API token (exports/services/api_tokens.py): rotation revokes the old key and is
audited; only an active statistician's current key opens the API."""
import pytest
from django.urls import reverse

from edc import roles
from exports.models import ApiToken
from exports.services import api_tokens
from tests import factories

pytestmark = pytest.mark.django_db


def test_rotation_revokes_the_old_key_and_is_audited(site, client_for):
    statistician = factories.make_user(roles.STATISTICIAN, site)
    first = api_tokens.rotate_token(statistician)
    assert api_tokens.authenticate(f"Token {first}") == statistician
    page = client_for(statistician).post(reverse("api_token"))
    second = page.context["key"]
    assert second and second != first
    assert api_tokens.authenticate(f"Token {first}") is None and api_tokens.authenticate(f"Token {second}")
    reasons = sorted(h.history_change_reason for h in ApiToken.history.all())
    assert reasons == ["API token issued", "API token issued", "API token revoked: a new one was issued"]
    assert {h.history_user for h in ApiToken.history.all()} == {statistician}
    assert not ApiToken.objects.filter(key_sha256__in=[first, second]).exists()  # only digests are stored


def test_only_an_active_statistician_authenticates(site):
    statistician = factories.make_user(roles.STATISTICIAN, site)
    key = api_tokens.rotate_token(statistician)
    for header in ("", "Token ", "Token nonsense", key):
        assert api_tokens.authenticate(header) in (None, statistician)
    assert api_tokens.authenticate("Token nonsense") is None and api_tokens.authenticate("") is None
    statistician.is_active = False
    statistician.save()
    assert api_tokens.authenticate(f"Token {key}") is None
