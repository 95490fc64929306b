"""Data quality and sign-off: form states, queries, source-data verification, PI
signatures and locks, honoured by every write path."""
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from crf import registry
from crf.models import LabPanel, Lock, Query, Signature
from crf.services import locks, queries, review
from crf.services.entry import save_crf
from crf.workflow import allowed, form_status
from edc import roles
from tests import factories
from tests.crf import helpers as h

pytestmark = pytest.mark.django_db


@pytest.fixture
def p(site, clinician):
    """Randomized today: month 0 is open, so only the forms saved are expected (crf.workflow)."""
    return h.participant(site, clinician)


@pytest.fixture
def labs(p, clinician):
    v = h.visit(p, "m0")
    panel, _ = h.save("labs", v, clinician, acknowledge=True, **h.lab_values(v))
    return panel


@pytest.fixture
def monitor(site):
    return factories.make_user(roles.MONITOR, site)


@pytest.fixture
def pi(site):
    return factories.make_user(roles.PRINCIPAL_INVESTIGATOR, site)


@pytest.fixture
def dm(site):
    return factories.make_user(roles.DATA_MANAGER, site)


def correct(panel, user, reason="transcription", **values):
    for k, v in values.items():
        setattr(panel, k, v)
    return save_crf(registry.get("labs"), panel, visit=panel.visit, user=user, reason=reason, acknowledge=True)


def test_the_state_machine():
    assert form_status(exists=False) == "not_started"
    assert form_status(exists=True, entry_status="in_progress") == "in_progress"
    assert form_status(exists=True, entry_status="complete", verified=True) == "verified"
    assert form_status(exists=True, entry_status="complete", verified=True, changed=True) == "complete"
    assert form_status(exists=True, entry_status="complete", signed=True, locked=True) == "locked"
    assert allowed("verify", "complete") and not allowed("verify", "in_progress")
    assert not allowed("edit", "locked") and not allowed("sign", "in_progress")


def test_verify_then_a_change_flags_it_and_returns_the_form_to_complete(p, labs, monitor, clinician):
    review.verify(labs, user=monitor)
    labs.refresh_from_db()
    assert labs.verified_by == monitor and review.status_of(labs, signed_ids=set(), locked=False) == "verified"
    correct(labs, clinician, platelets_10e9_l=Decimal("150"))
    labs.refresh_from_db()
    assert labs.changed_since_verification
    assert review.status_of(labs, signed_ids=set(), locked=False) == "complete"


def test_field_level_verification_flags_only_a_verified_field(p, labs, monitor, clinician):
    review.verify(labs, user=monitor, fields=["creatinine_value"])
    correct(labs, clinician, platelets_10e9_l=Decimal("151"))
    labs.refresh_from_db()
    assert not labs.changed_since_verification
    correct(labs, clinician, creatinine_value=Decimal("81"))
    labs.refresh_from_db()
    assert labs.changed_since_verification


def test_invalid_transitions_are_refused(p, clinician, monitor, pi):
    v = h.visit(p, "m0")
    crf_type = registry.get("labs")
    draft = LabPanel(participant=p, visit=v, status="in_progress", **h.lab_values(v))
    save_crf(crf_type, draft, visit=v, user=clinician, acknowledge=True)
    with pytest.raises(ValidationError, match="still in progress"):
        review.verify(draft, user=monitor)
    with pytest.raises(ValidationError, match="still in progress"):
        review.sign(user=pi, password=factories.PASSWORD, participant=p, scope="casebook")
    with pytest.raises(PermissionDenied):
        review.verify(draft, user=clinician)  # only a monitor verifies
    assert Signature.objects.count() == 0


def test_signing_needs_the_password_and_records_name_time_meaning(p, labs, pi):
    with pytest.raises(ValidationError, match="password"):
        review.sign(user=pi, password="wrong-password-x", participant=p, scope="casebook")
    sig = review.sign(user=pi, password=factories.PASSWORD, participant=p, scope="casebook")
    assert sig.printed_name == pi.printed_name and "accurate and complete" in sig.meaning
    assert sig.valid and len(sig.content_hash) == 64


def test_a_change_to_signed_data_invalidates_the_signature_with_the_reason(p, labs, pi, clinician):
    sig = review.sign(user=pi, password=factories.PASSWORD, participant=p, scope="casebook")
    correct(labs, clinician, reason="lab re-issued the report", platelets_10e9_l=Decimal("140"))
    sig.refresh_from_db()
    assert not sig.valid and "lab re-issued the report" in sig.invalidated_reason
    assert "platelets_10e9_l" in sig.invalidated_reason
    assert sig.history.count() == 2


@pytest.mark.parametrize("scope", ["crf", "casebook", "database"])
def test_a_lock_is_honoured_by_services_and_direct_saves(p, labs, dm, clinician, scope):
    locks.lock(scope=scope, user=dm, participant=None if scope == "database" else p,
               object_id=labs.pk if scope == "crf" else None, crf_key="labs")
    before, original = LabPanel.history.count(), labs.platelets_10e9_l
    with pytest.raises(ValidationError, match="Read-only"):
        correct(labs, clinician, platelets_10e9_l=Decimal("99"))
    fresh = LabPanel.objects.get(pk=labs.pk)
    fresh.platelets_10e9_l = Decimal("98")
    with pytest.raises(ValidationError, match="Read-only"):
        fresh.save()  # the pre_save backstop: no write path bypasses a lock
    assert LabPanel.history.count() == before
    assert LabPanel.objects.get(pk=labs.pk).platelets_10e9_l == original


def test_a_database_lock_stops_new_data_everywhere(site, p, dm, clinician):
    locks.lock(scope="database", user=dm)
    with pytest.raises(ValidationError, match="Read-only"):
        factories.screen(site, clinician)
    v = h.visit(p, "m1")
    with pytest.raises(ValidationError, match="Read-only"):
        h.save("vitals", v, clinician, acknowledge=True, **h.vitals_values(v))


def test_unlocking_needs_a_reason_and_is_audited(p, labs, dm, clinician):
    lock = locks.lock(scope="casebook", user=dm, participant=p)
    with pytest.raises(ValidationError):
        locks.unlock(lock, user=dm, reason=" ")
    locks.unlock(lock, user=dm, reason="query resolution after lock")
    lock.refresh_from_db()
    assert lock.unlocked_by == dm and lock.history.first().history_change_reason == "query resolution after lock"
    correct(labs, clinician, platelets_10e9_l=Decimal("160"))  # writable again


def test_the_monitor_reads_but_cannot_edit_a_form(p, labs, monitor, client_for):
    c = client_for(monitor)
    url = reverse("visit_crf", args=[labs.visit_id, "labs"])
    r = c.get(url)
    assert r.status_code == 200 and b"Mark verified against source" in r.content
    assert b'data-readonly-field="platelets_10e9_l"' in r.content and b'name="platelets_10e9_l"' not in r.content
    assert b"Read-only for your role" in r.content
    assert c.post(url, {"platelets_10e9_l": "1"}).status_code == 403
    labs.refresh_from_db()
    assert labs.platelets_10e9_l != 1


def test_query_raise_answer_with_correction_close_and_reopen(p, labs, monitor, clinician, client_for):
    q = queries.raise_query(labs, crf_key="labs", user=monitor, field_name="platelets_10e9_l",
                            text="Source says 210, please check")
    with pytest.raises(PermissionDenied):
        queries.raise_query(labs, crf_key="labs", user=clinician, field_name="", text="x")
    r = client_for(clinician).post(reverse("query_detail", args=[q.pk]), {
        "action": "answer", "text": "Transcription error, corrected", "new_value": "210"})
    assert r.status_code == 302
    labs.refresh_from_db()
    q.refresh_from_db()
    assert labs.platelets_10e9_l == Decimal("210") and q.status == "answered"
    assert labs.history.first().history_change_reason.startswith("Query answer: Transcription error")
    answer = q.messages.get(kind="answered")
    assert (answer.old_value, answer.new_value) == ("200.0", "210")
    queries.close_query(q, user=monitor, text="ok")
    with pytest.raises(ValidationError):
        queries.reopen_query(q, user=monitor, text=" ")
    queries.reopen_query(q, user=monitor, text="still differs from source")
    assert Query.objects.get(pk=q.pk).status == "open"


def test_a_bad_corrected_value_is_refused_and_nothing_changes(p, labs, monitor, clinician, client_for):
    q = queries.raise_query(labs, crf_key="labs", user=monitor, field_name="platelets_10e9_l", text="check")
    r = client_for(clinician).post(reverse("query_detail", args=[q.pk]),
                                   {"action": "answer", "text": "fixed", "new_value": "-5"}, follow=True)
    assert b"platelets" in r.content.lower()
    labs.refresh_from_db()
    q.refresh_from_db()
    assert labs.platelets_10e9_l == Decimal("200.0") and q.status == "open"


def test_soft_warnings_saved_anyway_become_automatic_queries(p, clinician):
    v = h.visit(p, "m1")
    h.save("vitals", v, clinician, acknowledge=True, **h.vitals_values(v, systolic_bp=175))
    auto = Query.objects.get(origin="edit_check", field_name="systolic_bp")  # one per warning saved anyway
    assert auto.raised_by is None and auto.status == "open"


def test_site_a_cannot_see_site_b_queries(p, labs, monitor, other_site, client_for):
    q = queries.raise_query(labs, crf_key="labs", user=monitor, field_name="", text="site A query")
    outsider = factories.make_user(roles.MONITOR, other_site)
    c = client_for(outsider)
    assert b"site A query" not in c.get(reverse("query_list") + "?status=all").content
    assert c.get(reverse("query_detail", args=[q.pk])).status_code == 404


def test_the_participant_audit_trail_exports_as_csv(p, labs, monitor, clinician, client_for):
    review.verify(labs, user=monitor)
    r = client_for(clinician).get(reverse("participant_audit_csv", args=[p.pk]))
    text = r.content.decode("utf-8-sig")
    assert r["Content-Type"].startswith("text/csv") and "Source data verified" in text
    assert "laboratory panel" in text.lower()


def test_the_whole_browser_flow_through_pages(p, labs, monitor, pi, dm, clinician, client_for):
    """monitor queries -> clinician corrects -> monitor closes and verifies -> PI signs -> DM locks."""
    mon = client_for(monitor)
    mon.post(reverse("crf_raise_query", args=["labs", labs.pk]),
             {"field_name": "alt_u_l", "text": "ALT 20 or 28 in the source?"})
    q = Query.objects.get()
    client_for(clinician).post(reverse("query_detail", args=[q.pk]),
                               {"action": "answer", "text": "28 per source", "new_value": "28"})
    mon.post(reverse("query_detail", args=[q.pk]), {"action": "close", "text": "ok"})
    mon.post(reverse("crf_verify", args=["labs", labs.pk]))
    client_for(pi).post(reverse("sign_casebook", args=[p.pk]), {"password": factories.PASSWORD})
    client_for(dm).post(reverse("lock_casebook", args=[p.pk]))
    labs.refresh_from_db()
    assert labs.alt_u_l == Decimal("28") and labs.verified_by == monitor
    assert Signature.objects.get().valid and Lock.objects.get().active
    audit = client_for(monitor).get(reverse("crf_audit", args=["labs", labs.pk])).content.decode()
    assert "Query answer: 28 per source" in audit and "Source data verified" in audit and pi.printed_name in audit


def test_a_remembered_lock_answer_serves_one_save_only(p, labs, dm, clinician):
    """The form page asks "is it locked?" once per POST and the save's write guard reuses that answer
    (crf.services.locks.REMEMBERED); the next save of the same object asks PostgreSQL again."""
    assert locks.active_locks_for(labs, remember=True) == []
    correct(labs, clinician, platelets_10e9_l=Decimal("150"))
    locks.lock(scope="crf", user=dm, participant=p, object_id=labs.pk, crf_key="labs")
    with pytest.raises(ValidationError, match="Read-only"):
        correct(labs, clinician, platelets_10e9_l=Decimal("151"))
    assert LabPanel.objects.get(pk=labs.pk).platelets_10e9_l == Decimal("150")


def test_site_membership_proven_by_a_lookup_counts_for_that_user_only(labs, other_clinician, clinician):
    from crf.selectors import get_visit_for

    visit = get_visit_for(clinician, labs.visit_id)  # proves the clinician's membership, nobody else's
    panel = LabPanel.objects.get(pk=labs.pk)
    panel.platelets_10e9_l = Decimal("151")
    with pytest.raises(PermissionDenied):
        save_crf(registry.get("labs"), panel, visit=visit, user=other_clinician, reason="x", acknowledge=True)
    assert save_crf(registry.get("labs"), panel, visit=visit, user=clinician, reason="x", acknowledge=True) == []


def test_a_changed_foreign_key_is_still_validated(labs, clinician):
    """edc.audit skips the lookups of unchanged foreign keys only (PostgreSQL proved them when the row
    was written); a changed one is looked up and a wrong one refused with a message, nothing written."""
    import uuid

    from edc.audit import save_changed

    before = LabPanel.history.count()
    panel = LabPanel.objects.get(pk=labs.pk)
    panel.visit_id = uuid.uuid4()
    with pytest.raises(ValidationError) as refused:
        save_changed(panel, clinician, "moved")
    assert "visit" in refused.value.message_dict and LabPanel.history.count() == before
