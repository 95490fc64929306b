"""Death report: one per participant, consistent with the visits, and the end of scheduled
follow-up through the same service as a discontinuation."""
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from crf import registry
from crf.models import Death, Visit
from crf.services.visits import record_visit_date
from tests.crf.helpers import TODAY, history_count, log_url, randomized_on, save_form, visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def p(site, clinician):
    p = randomized_on(site, clinician)
    m3 = visit(p, "m3")
    record_visit_date(m3, user=clinician, visit_date=m3.target_date)
    return p


def died(p, user, day=None, **values):
    fields = dict(date=day or visit(p, "m4").target_date, cause="Septic shock", autopsy=False,
                  relatedness="Unlikely: pneumonia 5 months after the last infusion")
    fields.update(values)
    return save_form("death", user, participant=p, **fields)


def not_applicable(p) -> list[str]:
    return list(Visit.objects.filter(participant=p, not_applicable=True).order_by("month")
                .values_list("code", flat=True))


def test_the_remaining_visits_become_not_applicable(p, clinician):
    row, warnings = died(p, clinician)
    assert warnings == [] and not_applicable(p) == [
        "m5", "m6", "m7", "m8", "m9", "m10", "m11", "m12", "m24", "m36", "m48", "m60"]
    assert Visit.history.filter(participant=p, history_change_reason="Died").count() == 12
    explained = registry.get("death").explain(row)
    assert "serious adverse event" in explained[0] and "m5, m6" in explained[1]


def test_only_one_death_per_participant(p, clinician):
    died(p, clinician)
    with pytest.raises(ValidationError) as raised:
        died(p, clinician, day=visit(p, "m4").target_date + timedelta(days=1))
    assert "already recorded" in raised.value.message_dict["__all__"][0]
    assert Death.objects.count() == 1 and history_count(Death) == 1


@pytest.mark.parametrize("values, field", [
    ({"cause": " "}, "cause"),
    ({"relatedness": ""}, "relatedness"),
    ({"autopsy": None}, "autopsy"),
    ({"date": TODAY + timedelta(days=1)}, "date"),
])
def test_impossible_values_are_refused(p, clinician, values, field):
    with pytest.raises(ValidationError) as raised:
        died(p, clinician, **values)
    assert field in raised.value.message_dict
    assert Death.objects.count() == 0 and history_count(Death) == 0 and not_applicable(p) == []


def test_a_visit_after_the_date_of_death_is_refused(p, clinician):
    with pytest.raises(ValidationError) as raised:
        died(p, clinician, day=visit(p, "m3").target_date - timedelta(days=1))
    assert "Month 3 took place" in raised.value.message_dict["date"][0]
    assert Death.objects.count() == 0 and not_applicable(p) == []


def test_the_earlier_of_discontinuation_and_death_ends_follow_up(p, clinician):
    save_form("discontinuation", clinician, participant=p, date=visit(p, "m7").target_date, reason="pregnancy")
    assert not_applicable(p)[0] == "m8"
    died(p, clinician, day=visit(p, "m9").target_date)  # later: changes nothing
    assert not_applicable(p)[0] == "m8"
    death = Death.objects.get()
    save_form("death", clinician, instance=death, date=visit(p, "m4").target_date, change_reason="Date corrected")
    assert not_applicable(p)[0] == "m5"
    assert Visit.history.filter(participant=p, code="m5", history_change_reason="Died").exists()


def test_an_edit_needs_a_reason(p, clinician):
    row, _ = died(p, clinician)
    with pytest.raises(ValidationError) as raised:
        save_form("death", clinician, instance=row, autopsy=True)
    assert "reason_for_change" in raised.value.message_dict
    row.refresh_from_db()
    assert row.autopsy is False and history_count(Death) == 1


def test_page_shows_a_field_error_and_saves_nothing(p, clinician, client_for):
    response = client_for(clinician).post(log_url(p, "death"), {
        "date": visit(p, "m4").target_date.isoformat(), "cause": "", "relatedness": "Unlikely",
        "autopsy": "False"})
    assert response.status_code == 200
    assert 'id="field-cause"' in response.content.decode()
    assert "This field is required." in response.content.decode()
    assert Death.objects.count() == 0 and not_applicable(p) == []


def test_page_records_autopsy_no_explicitly(p, clinician, client_for):
    client = client_for(clinician)
    data = {"date": visit(p, "m4").target_date.isoformat(), "cause": "Septic shock", "relatedness": "Unlikely"}
    assert client.post(log_url(p, "death"), data).status_code == 200  # autopsy not answered
    assert Death.objects.count() == 0
    assert client.post(log_url(p, "death"), {**data, "autopsy": "False"}).status_code == 302
    assert Death.objects.get().autopsy is False
