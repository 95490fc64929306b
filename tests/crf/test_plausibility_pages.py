"""The plausibility table through the real pages (docs/DATA_QUALITY.md "Plausibility"): an impossible
value is refused with a message naming the likely unit and nothing is written in any table; an
unusual one is warned, saved only when acknowledged, and recorded with an automatic query; the same
rules on a correction through a query answer and for an importer (crf.services.validation)."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from crf.models import LabPanel, Query, VitalSigns
from crf.services import queries
from crf.services.validation import validate_value
from edc import roles
from tests import factories
from tests.crf import helpers as h
from tests.fuzz.db import changed_tables, table_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def p(site, clinician):
    return h.participant(site, clinician)


def post_form(client, v, key, values, **extra):
    before = table_counts()
    r = client.post(reverse("visit_crf", args=[v.pk, key]), {**h.form_data(values), **extra})
    return r, changed_tables(before, table_counts())


@pytest.mark.parametrize("field, value, unit_field, unit, names", [
    ("creatinine_value", "1.2", "creatinine_unit", "umol/L", "mg/dL"),
    ("creatinine_value", "1.1", "creatinine_unit", "umol/L", "mg/dL"),
    ("creatinine_value", "106", "creatinine_unit", "mg/dL", "µmol/L"),
    ("upcr_value", "250", "upcr_unit", "g/g", "mg/mmol"),
    ("albumin_g_l", "3.2", None, None, "g/dL"),
    ("haemoglobin_g_l", "11.5", None, None, "g/dL"),
    ("c3_g_l", "90", None, None, "mg/dL"),
    ("wbc_10e9_l", "6500", None, None, "/µL"),
    ("platelets_10e9_l", "250000", None, None, "/µL"),
    ("urine_protein_24h_g", "1500", None, None, "mg"),
    ("alt_u_l", "-3", None, None, "not possible"),
])
def test_an_impossible_lab_value_is_refused_naming_the_likely_unit(p, clinician, client_for, field, value,
                                                                    unit_field, unit, names):
    v = h.visit(p, "m0")
    values = h.lab_values(v, **{field: value})
    if unit_field:
        values[unit_field] = unit
    r, changes = post_form(client_for(clinician), v, "labs", values)
    assert r.status_code == 200 and changes == {}
    errors = r.context["form"].errors[field]
    assert "not possible" in errors[0] and names in errors[0]


def test_creatinine_too_low_for_its_unit_never_gives_an_egfr_of_297(p, clinician, client_for):
    v = h.visit(p, "m0")
    r, changes = post_form(client_for(clinician), v, "labs", h.lab_values(v, creatinine_value="1.2"))
    assert changes == {} and not LabPanel.objects.exists()
    assert "1.2 mg/dL = 106 µmol/L" in r.context["form"].errors["creatinine_value"][0]


def test_an_unusual_value_warns_then_is_saved_when_acknowledged_and_queried(p, clinician, client_for):
    v = h.visit(p, "m0")
    c = client_for(clinician)
    values = h.vitals_values(v, weight_kg=Decimal("154.0"))  # unusual in kg, usual in lb
    r, changes = post_form(c, v, "vitals", values)
    assert r.status_code == 200 and changes == {}
    [warning] = [w for w in r.context["warnings"] if w.code == "implausible_weight_kg"]
    assert "lb" in warning.message and "69.9 kg" in warning.message
    r, changes = post_form(c, v, "vitals", values, acknowledge="1")
    assert r.status_code == 302
    saved = VitalSigns.objects.get(visit=v)
    assert "implausible_weight_kg" in [w["code"] for w in saved.soft_warnings]
    assert Query.objects.filter(object_id=saved.pk, warning_code="implausible_weight_kg").exists()


@pytest.mark.parametrize("field, value", [("temperature_c", "98.6"), ("height_cm", "1.65"),
                                          ("systolic_bp", "1200"), ("heart_rate", "7")])
def test_impossible_vitals_are_refused(p, clinician, client_for, field, value):
    v = h.visit(p, "m0")
    r, changes = post_form(client_for(clinician), v, "vitals", h.vitals_values(v, **{field: value}))
    assert r.status_code == 200 and changes == {}
    assert "not possible" in r.context["form"].errors[field][0]


def test_systolic_must_be_above_diastolic(p, clinician, client_for):
    v = h.visit(p, "m0")
    r, changes = post_form(client_for(clinician), v, "vitals",
                           h.vitals_values(v, systolic_bp=80, diastolic_bp=120))
    assert changes == {} and "diastolic_bp" in r.context["form"].errors


def test_a_creatinine_three_times_the_previous_warns(site, clinician):
    past = h.past_participant(site, clinician)
    m0, m1 = h.visit(past, "m0"), h.visit(past, "m1")
    h.save("labs", m0, clinician, **h.lab_values(m0, creatinine_value=Decimal("80")))
    values = h.lab_values(m1, creatinine_value=Decimal("2.8"), creatinine_unit="mg/dL")  # 247.5 µmol/L
    with pytest.raises(h.SoftWarnings) as e:
        h.save("labs", m1, clinician, **values)
    delta = [w for w in e.value.warnings if w.code == "delta_creatinine_value"]
    assert delta and "80" in delta[0].message
    assert LabPanel.objects.count() == 1


def test_a_sample_date_outside_the_visit_window_warns(site, clinician):
    past = h.past_participant(site, clinician)
    m3 = h.visit(past, "m3")
    day = m3.window_end + timedelta(days=3)
    with pytest.raises(h.SoftWarnings) as e:
        h.save("labs", m3, clinician, **h.lab_values(m3, sample_date=day))
    assert "outside_window" in [w.code for w in e.value.warnings]
    obj, warnings = h.save("labs", m3, clinician, acknowledge=True, **h.lab_values(m3, sample_date=day))
    assert "outside_window" in [w["code"] for w in obj.soft_warnings]


def test_a_correction_through_a_query_answer_runs_the_same_rules(p, clinician, site, client_for):
    v = h.visit(p, "m0")
    labs, _w = h.save("labs", v, clinician, **h.lab_values(v))
    monitor = factories.make_user(roles.MONITOR, site)
    q = queries.raise_query(labs, crf_key="labs", user=monitor, field_name="albumin_g_l", text="check")
    before = table_counts()
    r = client_for(clinician).post(reverse("query_detail", args=[q.pk]),
                                   {"action": "answer", "text": "fixed", "new_value": "3.2"}, follow=True)
    assert "g/dL" in r.content.decode()
    labs.refresh_from_db()
    q.refresh_from_db()
    assert labs.albumin_g_l == Decimal("38.0") and q.status == "open"
    changes = changed_tables(before, table_counts())
    assert set(changes) <= {"django_session"}, changes


def test_the_importer_function_gives_the_forms_answer(site, clinician):
    past = h.past_participant(site, clinician)
    m0 = h.visit(past, "m0")
    h.save("labs", m0, clinician, **h.lab_values(m0, creatinine_value=Decimal("80")))
    hard = validate_value("labs", "creatinine_value", Decimal("1.2"), unit="umol/L")
    assert hard.error and "mg/dL" in hard.error and not hard.ok
    assert validate_value("labs", "creatinine_value", Decimal("0.9"), unit="mg/dL").ok
    delta = validate_value("labs", "creatinine_value", Decimal("300"), unit="umol/L", participant=past,
                           on=m0.target_date + timedelta(days=40))
    assert delta.error is None and [w.code for w in delta.warnings] == ["delta_creatinine_value"]
    assert validate_value("eligibility", "creatinine_value", Decimal("106"), unit="mg/dL").error
    with pytest.raises(KeyError):
        validate_value("labs", "no_such_field", 1)
