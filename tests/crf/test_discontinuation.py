"""Discontinuation (protocol 2.5.3): one per participant, reasons, and the end of scheduled
follow-up — later visits not applicable through the audited service, in the same transaction."""
import dataclasses
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from crf import registry
from crf.models import Discontinuation, Visit
from crf.selectors import with_status
from crf.services.discontinuation import apply_discontinuation
from crf.services.entry import SoftWarnings, save_crf
from crf.services.visits import record_visit_date
from tests import factories
from tests.crf.helpers import MONTH0, TODAY, history_count, log_url, randomized_on, save_form, visit

pytestmark = pytest.mark.django_db
LATER = ["m6", "m7", "m8", "m9", "m10", "m11", "m12", "m24", "m36", "m48", "m60"]


@pytest.fixture
def p(site, clinician):
    p = randomized_on(site, clinician)
    for code in ("m1", "m5"):  # month 5 took place although its window opens after the date below
        v = visit(p, code)
        record_visit_date(v, user=clinician, visit_date=v.target_date)
    return p


def day_in_m4(p):
    return visit(p, "m4").target_date + timedelta(days=3)


def discontinue(p, user, **values):
    fields = dict(reason="severe_infection", details="Pneumonia, hospitalised")
    fields.update(values)
    if "date" not in fields:
        fields["date"] = day_in_m4(p)
    return save_form("discontinuation", user, participant=p, **fields)


def not_applicable(p) -> list[str]:
    return list(Visit.objects.filter(participant=p, not_applicable=True).order_by("month")
                .values_list("code", flat=True))


def test_later_visits_become_not_applicable_with_the_reason_in_the_audit_trail(p, clinician):
    discontinue(p, clinician)
    assert not_applicable(p) == LATER  # m4's window opened before the date; m5 took place
    changes = Visit.history.filter(participant=p, history_change_reason="Discontinued")
    assert changes.count() == len(LATER) and {h.history_user for h in changes} == {clinician}
    statuses = dict(with_status(p.visits.all(), TODAY).values_list("code", "status"))
    assert statuses["m6"] == "not_applicable" and statuses["m5"] == "done" and statuses["m4"] == "overdue"


def test_no_form_can_be_entered_at_a_not_applicable_visit(p, clinician):
    discontinue(p, clinician)
    with pytest.raises(ValidationError, match="not applicable"):
        save_form("pregnancy", clinician, visit=visit(p, "m6"), result="negative", test_date=TODAY)


def test_a_corrected_later_date_restores_the_visits_it_no_longer_covers(p, clinician):
    row, _ = discontinue(p, clinician)
    new_day = visit(p, "m7").target_date + timedelta(days=20)
    save_form("discontinuation", clinician, instance=row, date=new_day, change_reason="Wrong month typed")
    expected = [v.code for v in p.visits.order_by("month") if v.window_start > new_day and not v.visit_date]
    assert not_applicable(p) == expected and "m7" not in expected and "m8" in expected
    assert Visit.history.filter(participant=p, history_change_reason="End of follow-up date corrected",
                                code__in=["m6", "m7"]).count() == 2


def test_apply_discontinuation_marks_once_and_never_uses_queryset_update(p, clinician):
    day = day_in_m4(p)
    assert [v.code for v in apply_discontinuation(p, day, clinician)] == LATER
    assert apply_discontinuation(p, day, clinician) == []  # already marked: no new history rows
    assert Visit.history.filter(participant=p, history_change_reason="Discontinued").count() == len(LATER)


def test_if_the_visits_cannot_be_updated_nothing_is_saved(p, clinician):
    def broken(instance, user):
        raise RuntimeError("visit update failed")

    crf_type = dataclasses.replace(registry.get("discontinuation"), after_save=broken)
    row = Discontinuation(participant=p, date=day_in_m4(p), reason="pregnancy")
    with pytest.raises(RuntimeError):
        save_crf(crf_type, row, visit=None, user=clinician)
    assert Discontinuation.objects.count() == 0 and history_count(Discontinuation) == 0


def test_only_one_discontinuation_per_participant(p, clinician):
    discontinue(p, clinician)
    with pytest.raises(ValidationError) as raised:
        discontinue(p, clinician, reason="pregnancy")
    assert "already recorded" in raised.value.message_dict["__all__"][0]
    assert Discontinuation.objects.count() == 1 and history_count(Discontinuation) == 1


@pytest.mark.parametrize("values, field", [
    ({"date": MONTH0 - timedelta(days=1)}, "date"),  # after screening but before month 0
    ({"date": TODAY + timedelta(days=1)}, "date"),
    ({"reason": "investigator", "details": " "}, "details"),
    ({"reason": "bored"}, "reason"),
])
def test_impossible_values_are_refused(p, clinician, values, field):
    with pytest.raises(ValidationError) as raised:
        discontinue(p, clinician, **values)
    assert field in raised.value.message_dict
    assert Discontinuation.objects.count() == 0 and history_count(Discontinuation) == 0
    assert not_applicable(p) == []


def test_a_participant_not_randomized_cannot_discontinue(site, clinician):
    p = factories.enrolled_participant(site, clinician)
    with pytest.raises(ValidationError) as raised:
        discontinue(p, clinician, date=TODAY)
    assert "randomized" in raised.value.message_dict["date"][0]


def test_no_response_at_month6_before_the_month6_window_warns(p, clinician):
    with pytest.raises(SoftWarnings) as raised:
        discontinue(p, clinician, reason="no_response_m6")
    assert [w.code for w in raised.value.warnings] == ["before_month6"]
    assert Discontinuation.objects.count() == 0 and not_applicable(p) == []
    row, _ = discontinue(p, clinician, reason="no_response_m6", acknowledge=True)
    assert [w["code"] for w in Discontinuation.objects.get().soft_warnings] == ["before_month6"]


def test_no_response_at_month6_in_the_month6_window_is_plain(p, clinician):
    _, warnings = discontinue(p, clinician, reason="no_response_m6", date=visit(p, "m6").window_start)
    assert warnings == [] and not_applicable(p)[0] == "m7"


def test_an_edit_needs_a_reason(p, clinician):
    row, _ = discontinue(p, clinician)
    row.details = "Pneumonia"
    with pytest.raises(ValidationError) as raised:
        save_crf(registry.get("discontinuation"), row, visit=None, user=clinician)
    assert "reason_for_change" in raised.value.message_dict
    assert history_count(Discontinuation) == 1


def test_page_shows_a_field_error_and_saves_nothing(p, clinician, client_for):
    response = client_for(clinician).post(log_url(p, "discontinuation"), {
        "date": day_in_m4(p).isoformat(), "reason": "investigator", "details": ""})
    assert response.status_code == 200
    assert "Describe the investigator" in response.content.decode()
    assert Discontinuation.objects.count() == 0 and not_applicable(p) == []


def test_page_saves_and_explains_the_visits(p, clinician, client_for):
    client = client_for(clinician)
    response = client.post(log_url(p, "discontinuation"), {
        "date": day_in_m4(p).isoformat(), "reason": "withdrew_consent", "details": ""})
    assert response.status_code == 302 and not_applicable(p) == LATER
    page = client.get(log_url(p, "discontinuation", Discontinuation.objects.get())).content.decode()
    assert "m6, m7, m8" in page
