"""Sign, verify and lock follow the one workflow (crf.workflow), enforced by the services: each
precondition is tried with a crafted POST (the button is not shown, the request is sent anyway),
and must be refused with a message that says what is missing, and change nothing in the database."""
import html
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from crf import registry, workflow
from crf.models import LabPanel, Lock, Signature
from crf.services import locks, review
from crf.services.entry import save_crf
from edc import roles
from tests import factories
from tests.crf import helpers as h
from tests.fuzz.db import NOT_DATA, table_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def pi(site):
    return factories.make_user(roles.PRINCIPAL_INVESTIGATOR, site)


@pytest.fixture
def dm(site):
    return factories.make_user(roles.DATA_MANAGER, site)


@pytest.fixture
def monitor(site):
    return factories.make_user(roles.MONITOR, site)


@pytest.fixture
def fresh(site, clinician):
    """Randomized today: month 0 is open, so only the forms saved so far are expected."""
    return h.participant(site, clinician)


def labs_at(p, clinician, code="m0", **overrides):
    v = h.visit(p, code)
    panel, _w = h.save("labs", v, clinician, acknowledge=True, **h.lab_values(v, **overrides))
    return panel


def data_rows() -> dict:
    return {k: v for k, v in table_counts().items() if k not in NOT_DATA}


def refused(client, url, data=None) -> str:
    """POST a crafted request; assert it wrote nothing and return the message shown."""
    before = data_rows()
    response = client.post(url, data or {})
    assert response.status_code in (200, 302), response.status_code
    assert data_rows() == before, "a refused request changed the database"
    shown = " ".join(str(m) for m in get_messages(response.wsgi_request))
    if response.status_code == 200:
        shown += html.unescape(response.content.decode())
    return shown


# --- the rule itself (pure) -------------------------------------------------------------------------

def test_the_rule_names_what_is_missing():
    assert workflow.refusal("sign", workflow.FormState("Labs · Month 0", "not_started")) == \
        "Labs · Month 0 has not been started."
    changed = workflow.FormState("Labs · Month 0", "complete", changed_since_verification=True)
    assert "verified again" in workflow.refusal("sign", changed)
    assert workflow.refusal("lock", workflow.FormState("Labs", "in_progress")).endswith("complete first.")
    assert workflow.refusal("sign", workflow.FormState("Labs", "signed")) == "Labs is already signed."
    assert workflow.refusal("sign", workflow.FormState("Labs", "signed"), scope="casebook") is None
    assert workflow.refusal("lock", workflow.FormState("Labs", "locked"), scope="casebook") is None
    assert workflow.scope_refusals("sign", [], scope="casebook") == ["There are no forms to sign yet."]
    assert workflow.may("lock", {roles.DATA_MANAGER}) and not workflow.may("lock", {roles.CLINICIAN})


# --- sign ---------------------------------------------------------------------------------------------

def test_a_casebook_with_forms_not_started_cannot_be_signed(site, clinician, pi, client_for):
    p = h.past_participant(site, clinician)  # month 0 is overdue: its forms are expected
    labs_at(p, clinician)
    shown = refused(client_for(pi), reverse("sign_casebook", args=[p.pk]), {"password": factories.PASSWORD})
    assert "Vital signs · Month 0 has not been started." in shown
    assert "Laboratory panel · Month 0" not in shown  # saved: not missing
    assert "Vital signs · Month 12 has not been started." in shown  # months 1-12 are overdue too
    assert not Signature.objects.exists()
    with pytest.raises(ValidationError, match=r"and \d+ more"):  # the service: the first ten, then a count
        review.sign(user=pi, password=factories.PASSWORD, participant=p, scope="casebook")
    page = client_for(pi).get(reverse("sign_casebook", args=[p.pk])).content.decode()
    assert "The casebook cannot be signed yet" in page and 'name="password"' not in page


def test_a_form_changed_since_verification_blocks_the_casebook_signature(fresh, clinician, monitor, pi,
                                                                          client_for):
    panel = labs_at(fresh, clinician)
    review.verify(panel, user=monitor)
    panel.alt_u_l = Decimal("31")
    save_crf(registry.get("labs"), panel, visit=panel.visit, user=clinician, reason="re-issued", acknowledge=True)
    shown = refused(client_for(pi), reverse("sign_casebook", args=[fresh.pk]), {"password": factories.PASSWORD})
    assert "Laboratory panel · Month 0 changed since it was verified" in shown
    shown = refused(client_for(pi), reverse("crf_sign", args=["labs", panel.pk]), {"password": factories.PASSWORD})
    assert "verified again before signing" in shown
    review.verify(panel, user=monitor)
    assert review.sign(user=pi, password=factories.PASSWORD, participant=fresh, scope="casebook").valid


def test_an_in_progress_form_cannot_be_signed_by_a_crafted_post(fresh, clinician, pi, client_for):
    v = h.visit(fresh, "m0")
    draft = LabPanel(participant=fresh, visit=v, status="in_progress", **h.lab_values(v))
    save_crf(registry.get("labs"), draft, visit=v, user=clinician, acknowledge=True)
    shown = refused(client_for(pi), reverse("crf_sign", args=["labs", draft.pk]), {"password": factories.PASSWORD})
    assert "Laboratory panel · Month 0 is still in progress" in shown


def test_signatures_do_not_repeat_after_unlock_and_relock(fresh, clinician, pi, dm, client_for):
    labs_at(fresh, clinician)
    review.sign(user=pi, password=factories.PASSWORD, participant=fresh, scope="casebook")
    lock = locks.lock(scope="casebook", user=dm, participant=fresh)
    locks.unlock(lock, user=dm, reason="late lab report checked, nothing changed")
    locks.lock(scope="casebook", user=dm, participant=fresh)
    locks.unlock(Lock.objects.get(unlocked_at__isnull=True), user=dm, reason="second look")
    shown = refused(client_for(pi), reverse("sign_casebook", args=[fresh.pk]), {"password": factories.PASSWORD})
    assert f"Already signed by {pi.printed_name}" in shown
    assert Signature.objects.filter(invalidated_at__isnull=True).count() == 1


def test_a_locked_casebook_gets_one_clear_message(fresh, clinician, pi, dm, client_for):
    labs_at(fresh, clinician)
    locks.lock(scope="casebook", user=dm, participant=fresh, reason="end of study")
    shown = refused(client_for(pi), reverse("sign_casebook", args=[fresh.pk]), {"password": factories.PASSWORD})
    assert "this participant's casebook is locked" in shown and "Signing comes before locking." in shown
    assert shown.count("Read-only") == 1 and "end of study" in shown


# --- verify -----------------------------------------------------------------------------------------

def test_only_a_complete_form_is_verified(fresh, clinician, monitor, client_for):
    v = h.visit(fresh, "m0")
    draft = LabPanel(participant=fresh, visit=v, status="in_progress", **h.lab_values(v))
    save_crf(registry.get("labs"), draft, visit=v, user=clinician, acknowledge=True)
    shown = refused(client_for(monitor), reverse("crf_verify", args=["labs", draft.pk]))
    assert "still in progress" in shown
    with pytest.raises(PermissionDenied):
        review.verify(draft, user=clinician)


# --- lock ---------------------------------------------------------------------------------------------

def test_a_form_in_progress_cannot_be_locked_by_a_crafted_post(fresh, clinician, dm, client_for):
    v = h.visit(fresh, "m0")
    draft = LabPanel(participant=fresh, visit=v, status="in_progress", **h.lab_values(v))
    save_crf(registry.get("labs"), draft, visit=v, user=clinician, acknowledge=True)
    shown = refused(client_for(dm), reverse("crf_lock", args=["labs", draft.pk]))
    assert "Laboratory panel · Month 0 is still in progress: it must be saved as complete first." in shown
    shown = refused(client_for(dm), reverse("lock_casebook", args=[fresh.pk]))
    assert "still in progress" in shown
    assert not Lock.objects.exists()


def test_a_casebook_with_missing_forms_cannot_be_locked(site, clinician, dm, client_for):
    p = h.past_participant(site, clinician)
    labs_at(p, clinician)
    shown = refused(client_for(dm), reverse("lock_casebook", args=[p.pk]))
    assert "Vital signs · Month 0 has not been started: there is nothing to lock." in shown
    page = client_for(dm).get(reverse("lock_casebook", args=[p.pk])).content.decode()
    assert "The casebook cannot be locked yet" in page


def test_locking_is_the_data_managers_whoever_posts(fresh, clinician, pi, client_for):
    panel = labs_at(fresh, clinician)
    for user in (clinician, pi):
        assert client_for(user).post(reverse("crf_lock", args=["labs", panel.pk])).status_code == 403
        with pytest.raises(PermissionDenied):
            locks.lock(scope="crf", user=user, participant=fresh, crf_key="labs", object_id=panel.pk)
    assert not Lock.objects.exists()


def test_a_form_of_another_participant_cannot_be_locked_through_this_one(site, fresh, clinician, dm):
    other = factories.randomized_participant(site, clinician)
    panel = labs_at(other, clinician)
    with pytest.raises(ValidationError, match="no such form"):
        locks.lock(scope="crf", user=dm, participant=fresh, crf_key="labs", object_id=panel.pk)
    with pytest.raises(ValidationError, match="no such form"):
        locks.lock(scope="crf", user=dm, participant=fresh, crf_key="nonsense", object_id=panel.pk)


def test_a_complete_form_locks_and_then_shows_read_only_values_with_the_reason(fresh, clinician, dm,
                                                                               client_for):
    panel = labs_at(fresh, clinician)
    client_for(dm).post(reverse("crf_lock", args=["labs", panel.pk]))
    assert Lock.objects.get().object_id == panel.pk
    page = client_for(clinician).get(f"/visits/{panel.visit_id}/crf/labs/").content.decode()
    assert "Read-only: this form is locked since" in page and dm.printed_name in page
    assert 'name="alt_u_l"' not in page and 'data-readonly-field="alt_u_l"' in page  # text, not inputs
    shown = refused(client_for(dm), reverse("crf_lock", args=["labs", panel.pk]))
    assert "Already locked" in shown or "is locked" in shown
