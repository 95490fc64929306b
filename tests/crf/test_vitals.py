"""Vital signs eCRF: plausible ranges refused, notable values and a >10 % weight change warned."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from crf.models import VitalSigns
from crf.services.entry import SoftWarnings
from tests.crf import helpers as h

pytestmark = pytest.mark.django_db


@pytest.fixture
def p(site, clinician):
    return h.participant(site, clinician)


@pytest.fixture
def past(site, clinician):
    return h.past_participant(site, clinician)


def test_valid_vitals_are_saved_with_history_and_explained(p, clinician):
    v = h.visit(p, "m0")
    obj, warnings = h.save("vitals", v, clinician, **h.vitals_values(v))
    assert warnings == []
    stored = VitalSigns.objects.get(visit=v)
    assert (stored.systolic_bp, stored.weight_kg, stored.soft_warnings) == (120, Decimal("60.0"), [])
    assert stored.history.count() == 1
    from crf.ecrf.vitals import explain
    assert any("no earlier vital signs" in line for line in explain(stored))


@pytest.mark.parametrize("field,value", [
    ("systolic_bp", 49), ("systolic_bp", 281), ("diastolic_bp", 19), ("diastolic_bp", 181),
    ("heart_rate", 19), ("heart_rate", 251), ("temperature_c", Decimal("29.9")),
    ("temperature_c", Decimal("45.1")), ("weight_kg", Decimal("24.9")), ("weight_kg", Decimal("250.1")),
    ("height_cm", Decimal("99.9")), ("height_cm", Decimal("230.1")),
])
def test_implausible_values_are_refused_and_nothing_is_saved(p, clinician, field, value):
    v = h.visit(p, "m0")
    values = h.vitals_values(v, **{field: value})
    if field == "systolic_bp" and value < 100:
        values["diastolic_bp"] = 40  # keep DBP < SBP so only the range is at fault
    with pytest.raises(ValidationError) as e:
        h.save("vitals", v, clinician, **values)
    assert list(e.value.message_dict) == [field]
    assert "is not possible" in e.value.message_dict[field][0]
    assert not VitalSigns.objects.exists() and VitalSigns.history.count() == 0


@pytest.mark.parametrize("field,value", [("systolic_bp", 50), ("systolic_bp", 280), ("heart_rate", 20),
                                         ("heart_rate", 250), ("weight_kg", Decimal("25.0")),
                                         ("height_cm", None)])
def test_range_edges_and_a_missing_height_are_accepted(p, clinician, field, value):
    v = h.visit(p, "m0")
    values = h.vitals_values(v, **{field: value})
    if field == "systolic_bp" and value == 50:
        values["diastolic_bp"] = 30
    h.save("vitals", v, clinician, acknowledge=True, **values)
    assert VitalSigns.objects.filter(visit=v).exists()


@pytest.mark.parametrize("dbp", [120, 121])
def test_diastolic_not_below_systolic_is_refused(p, clinician, dbp):
    v = h.visit(p, "m0")
    with pytest.raises(ValidationError) as e:
        h.save("vitals", v, clinician, **h.vitals_values(v, systolic_bp=120, diastolic_bp=dbp))
    assert "lower than the systolic" in e.value.message_dict["diastolic_bp"][0]
    assert VitalSigns.history.count() == 0


def test_a_future_date_is_refused(p, clinician):
    v = h.visit(p, "m0")
    with pytest.raises(ValidationError) as e:
        h.save("vitals", v, clinician, **h.vitals_values(v, measured_on=v.target_date + timedelta(days=1)))
    assert "future" in e.value.message_dict["measured_on"][0]


@pytest.mark.parametrize("overrides,code", [
    ({"systolic_bp": 160, "diastolic_bp": 90}, "sbp_high"),
    ({"systolic_bp": 89, "diastolic_bp": 60}, "sbp_low"),
    ({"systolic_bp": 150, "diastolic_bp": 100}, "dbp_high"),
    ({"temperature_c": Decimal("38.1")}, "fever"),
])
def test_notable_values_warn_and_are_recorded_when_saved_anyway(p, clinician, overrides, code):
    v = h.visit(p, "m0")
    with pytest.raises(SoftWarnings) as e:
        h.save("vitals", v, clinician, **h.vitals_values(v, **overrides))
    assert [w.code for w in e.value.warnings] == [code]
    assert not VitalSigns.objects.exists() and VitalSigns.history.count() == 0
    h.save("vitals", v, clinician, acknowledge=True, **h.vitals_values(v, **overrides))
    assert [w["code"] for w in VitalSigns.objects.get(visit=v).soft_warnings] == [code]


def test_values_just_inside_the_notable_limits_do_not_warn(p, clinician):
    v = h.visit(p, "m0")
    _, warnings = h.save("vitals", v, clinician, **h.vitals_values(
        v, systolic_bp=159, diastolic_bp=99, temperature_c=Decimal("38.0")))
    assert warnings == []
    obj = VitalSigns.objects.get(visit=v)
    obj.systolic_bp, obj.diastolic_bp = 90, 60  # exactly 90 is not "below 90"
    _, warnings = h.save("vitals", v, clinician, instance=obj, reason="Transcription corrected")
    assert warnings == []


def test_weight_change_of_more_than_ten_percent_since_the_previous_vitals_warns(past, clinician):
    h.save("vitals", h.visit(past, "m0"), clinician, **h.vitals_values(h.visit(past, "m0"),
                                                                       weight_kg=Decimal("60.0")))
    m1 = h.visit(past, "m1")
    _, warnings = h.save("vitals", m1, clinician, **h.vitals_values(m1, weight_kg=Decimal("66.0")))
    assert warnings == []  # exactly +10 % is not "more than"
    m2 = h.visit(past, "m2")
    with pytest.raises(SoftWarnings) as e:
        h.save("vitals", m2, clinician, **h.vitals_values(m2, weight_kg=Decimal("59.3")))
    assert [w.code for w in e.value.warnings] == ["weight_change"]  # vs month 1 (66.0): -10.2 %
    assert "-10.2" in str(e.value.warnings[0].message)
    obj, _ = h.save("vitals", m2, clinician, acknowledge=True,
                    **h.vitals_values(m2, weight_kg=Decimal("59.3")))
    assert obj.soft_warnings[0]["field"] == "weight_kg"
    from crf.ecrf.vitals import explain
    assert any("-10.2 %" in line and "66.0 kg" in line for line in explain(obj))


def test_an_edit_needs_a_reason(p, clinician):
    v = h.visit(p, "m0")
    obj, _ = h.save("vitals", v, clinician, **h.vitals_values(v))
    obj.heart_rate = 80
    with pytest.raises(ValidationError) as e:
        h.save("vitals", v, clinician, instance=obj, reason="  ")
    assert "reason_for_change" in e.value.message_dict
    assert VitalSigns.objects.get(visit=v).heart_rate == 72 and obj.history.count() == 1
    h.save("vitals", v, clinician, instance=obj, reason="Recounted")
    assert VitalSigns.objects.get(visit=v).heart_rate == 80 and obj.history.count() == 2
    assert obj.history.first().history_change_reason == "Recounted"


def test_the_page_shows_a_field_error_and_saves_nothing(p, clinician, client_for):
    v = h.visit(p, "m0")
    client = client_for(clinician)
    url = f"/visits/{v.pk}/crf/vitals/"
    assert client.get(url).status_code == 200
    response = client.post(url, h.form_data(h.vitals_values(v, systolic_bp=300)))
    assert response.status_code == 200
    assert "is not possible (accepted: 50 to 280 mmHg)" in response.content.decode()
    assert not VitalSigns.objects.exists()
    # A warning is shown with the "save anyway" box; ticking it saves and records the warning.
    response = client.post(url, h.form_data(h.vitals_values(v, systolic_bp=170)))
    assert 'data-warning="sbp_high"' in response.content.decode() and not VitalSigns.objects.exists()
    response = client.post(url, {**h.form_data(h.vitals_values(v, systolic_bp=170)), "acknowledge": "1"})
    assert response.status_code == 302
    assert VitalSigns.objects.get(visit=v).soft_warnings[0]["code"] == "sbp_high"
