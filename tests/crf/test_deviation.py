"""Protocol deviations: required description, severity for the per-protocol set (protocol
2.13.1), the link to a prohibited concomitant medication."""
import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from crf import registry
from crf.models import ProtocolDeviation
from crf.services.entry import SoftWarnings
from tests.crf.helpers import MONTH0, TODAY, history_count, log_url, randomized_on, save_form

pytestmark = pytest.mark.django_db
DAY = MONTH0 + timedelta(days=20)


@pytest.fixture
def p(site, clinician):
    return randomized_on(site, clinician)


def deviation(p, user, **values):
    fields = dict(date=DAY, severity="minor", category="visit_window",
                  description="Month-1 visit 10 days late", corrective_action="Reminder calls")
    fields.update(values)
    return save_form("deviation", user, participant=p, **fields)


def test_a_deviation_is_saved_with_its_explanation(p, clinician):
    row, warnings = deviation(p, clinician, severity="major", category="dosing",
                              description="Infusion 2 given outside the window")
    assert warnings == [] and ProtocolDeviation.objects.get().severity == "major"
    assert "per-protocol set" in registry.get("deviation").explain(row)[0]
    assert "leaves" in registry.get("deviation").explain(row)[0]


@pytest.mark.parametrize("values, field", [
    ({"description": "   "}, "description"),
    ({"severity": "moderate"}, "severity"),
    ({"category": "lab"}, "category"),
    ({"date": TODAY + timedelta(days=1)}, "date"),
    ({"date": MONTH0 - timedelta(days=30)}, "date"),  # before screening
])
def test_impossible_values_are_refused(p, clinician, values, field):
    with pytest.raises(ValidationError) as raised:
        deviation(p, clinician, **values)
    assert field in raised.value.message_dict
    assert ProtocolDeviation.objects.count() == 0 and history_count(ProtocolDeviation) == 0


def test_another_participants_medication_cannot_be_linked(p, site, clinician):
    other = randomized_on(site, clinician)
    med, _ = save_form("conmeds", clinician, participant=other, drug_name="Rituximab", category="rituximab",
                  start_date=DAY, indication="LN", acknowledge=True)
    with pytest.raises(ValidationError) as raised:
        deviation(p, clinician, conmed=med, category="prohibited_medication", severity="major")
    assert "conmed" in raised.value.message_dict
    assert ProtocolDeviation.objects.count() == 0


@pytest.mark.parametrize("category", ["eligibility", "consent", "prohibited_medication"])
def test_a_minor_deviation_of_a_usually_major_category_warns(p, clinician, category):
    with pytest.raises(SoftWarnings) as raised:
        deviation(p, clinician, category=category)
    assert [w.code for w in raised.value.warnings] == ["usually_major"]
    assert ProtocolDeviation.objects.count() == 0
    row, _ = deviation(p, clinician, category=category, acknowledge=True)
    row.refresh_from_db()
    assert [w["code"] for w in row.soft_warnings] == ["usually_major"]


def test_an_edit_needs_a_reason(p, clinician):
    row, _ = deviation(p, clinician)
    with pytest.raises(ValidationError) as raised:
        save_form("deviation", clinician, instance=row, severity="major")
    assert "reason_for_change" in raised.value.message_dict
    row.refresh_from_db()
    assert row.severity == "minor" and history_count(ProtocolDeviation) == 1
    save_form("deviation", clinician, instance=row, severity="major", change_reason="Reclassified by the PI")
    assert ProtocolDeviation.objects.get().severity == "major" and history_count(ProtocolDeviation) == 2


def test_page_shows_a_field_error_and_saves_nothing(p, clinician, client_for):
    response = client_for(clinician).post(log_url(p, "deviation"), {
        "date": DAY.isoformat(), "severity": "minor", "category": "other", "description": ""})
    assert response.status_code == 200
    field = re.search(r'id="field-description">(.*?)</div>', response.content.decode(), re.S).group(1)
    assert "This field is required." in field
    assert ProtocolDeviation.objects.count() == 0
