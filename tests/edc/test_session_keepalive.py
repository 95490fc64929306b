"""The idle warning's keep-alive and the keys of the browser's encrypted draft (docs/WORKFLOW.md
"Nothing a user typed is lost")."""
import pytest
from django.urls import reverse

from edc import roles
from edc.drafts import PERIOD_SECONDS, draft_keys
from tests import factories

pytestmark = pytest.mark.django_db


def test_keepalive_renews_a_session_and_says_when_there_is_none(client, site, client_for):
    assert client.get(reverse("session_keepalive")).json() == {"signed_in": False}
    user = factories.make_user(roles.CLINICIAN, site)
    signed_in = client_for(user)
    assert signed_in.get(reverse("session_keepalive")).json()["signed_in"] is True
    page = signed_in.get(reverse("home")).content.decode()
    assert 'id="session-warning"' in page and "session.js" in page and 'name="edc-draft-keys"' in page
    assert "<script>" not in page  # static scripts only (CSP)


def test_draft_keys_belong_to_one_user_and_expire(site):
    a, b = factories.make_user(roles.CLINICIAN, site), factories.make_user(roles.CLINICIAN, site)
    now = 1_800_000_000.0
    keys_a = draft_keys(a, now)
    assert len(keys_a) == 2 and all(len(k) == 64 for k in keys_a)
    assert set(keys_a).isdisjoint(draft_keys(b, now))  # a colleague cannot read the copy
    assert draft_keys(a, now + PERIOD_SECONDS)[1] == keys_a[0]  # still readable in the next period
    assert keys_a[0] not in draft_keys(a, now + 2 * PERIOD_SECONDS)  # and never after
    a.set_password("a-new-password-1")
    assert set(keys_a).isdisjoint(draft_keys(a, now))  # a password change retires the copy
