"""BILAG-2004 renal eCRF: BP from the visit's vitals, protein/creatinine/GFR from its labs, previous
values from the previous visit with labs; grade A–E stored with the deciding features."""
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from crf.ecrf.bilag import explain
from crf.models import BilagRenal, LabPanel
from crf.services.entry import SoftWarnings
from tests.crf import helpers as h

pytestmark = pytest.mark.django_db


@pytest.fixture
def p(site, clinician):
    return h.participant(site, clinician)


@pytest.fixture
def past(site, clinician):
    return h.past_participant(site, clinician, sex="M")


def visit_data(v, user, vitals: dict | None = None, **labs):
    h.save("vitals", v, user, acknowledge=True, **h.vitals_values(v, **(vitals or {})))
    h.save("labs", v, user, acknowledge=True, **h.lab_values(v, **labs))


def codes(obj) -> list[str]:
    return [f["code"] for f in obj.features]


def test_no_lab_panel_is_a_clear_error_and_nothing_is_saved(p, clinician):
    v = h.visit(p, "m0")
    h.save("vitals", v, clinician, **h.vitals_values(v))
    with pytest.raises(ValidationError) as e:
        h.save("bilag", v, clinician, active_urinary_sediment=True)
    assert "Enter this visit's laboratory panel first" in e.value.messages[0]
    assert not BilagRenal.objects.exists() and BilagRenal.history.count() == 0


def test_severe_proteinuria_with_active_sediment_is_grade_a(p, clinician):
    v = h.visit(p, "m0")
    visit_data(v, clinician, upcr_value=Decimal("2.0"))  # 226.24 mg/mmol, no previous value
    obj, warnings = h.save("bilag", v, clinician, active_urinary_sediment=True)
    stored = BilagRenal.objects.get(pk=obj.pk)
    assert (stored.grade, codes(stored), warnings) == ("A", ["proteinuria_severe",
                                                              "active_urinary_sediment"], [])
    lines = explain(stored)
    assert lines[0] == "Grade A (numeric score 12)."
    assert any("UPCR 226.24 mg/mmol > 100" in line for line in lines)
    assert any("Compared with: no earlier visit with labs." == line for line in lines)
    assert stored.inputs["systolic_bp"] == 120 and stored.inputs["upcr_mg_mmol"] == 226.24


def test_a_single_a_feature_is_grade_b(p, clinician):
    v = h.visit(p, "m0")
    visit_data(v, clinician, upcr_value=Decimal("2.0"))
    obj, _ = h.save("bilag", v, clinician)
    assert (obj.grade, codes(obj)) == ("B", ["proteinuria_severe"])


@pytest.mark.parametrize("upcr_mg_mmol,grade", [("100.000", "B"), ("100.010", "A")])
def test_the_100_mg_per_mmol_edge_uses_the_value_as_entered(p, clinician, upcr_mg_mmol, grade):
    """Via the rounded 0.884 g/g both would read 99.998 mg/mmol and miss the A feature."""
    v = h.visit(p, "m0")
    visit_data(v, clinician, upcr_value=Decimal(upcr_mg_mmol), upcr_unit="mg/mmol")
    obj, _ = h.save("bilag", v, clinician, active_urinary_sediment=True)
    assert obj.grade == grade


def test_mild_proteinuria_alone_is_c_and_no_involvement_now_is_d(p, clinician):
    v = h.visit(p, "m0")
    visit_data(v, clinician, upcr_value=Decimal("0.3"))  # 33.9 mg/mmol > 25
    obj, _ = h.save("bilag", v, clinician)
    assert (obj.grade, codes(obj)) == ("C", ["proteinuria_mild"])
    h.save("labs", v, clinician, instance=LabPanel.objects.get(visit=v), reason="Corrected",
           upcr_value=Decimal("0.2"))  # 22.6 mg/mmol
    h.save("bilag", v, clinician, instance=BilagRenal.objects.get(pk=obj.pk), reason="Labs corrected")
    stored = BilagRenal.objects.get(pk=obj.pk)
    # Biopsy-proven LN at entry (protocol 2.2): previous involvement, so D and never E.
    assert (stored.grade, codes(stored)) == ("D", ["previous_involvement"])


def test_previous_values_come_from_the_previous_visit_with_labs(past, clinician):
    m0, m1, m2 = (h.visit(past, c) for c in ("m0", "m1", "m2"))
    visit_data(m0, clinician, upcr_value=Decimal("2.0"))
    h.save("bilag", m0, clinician, dipstick_protein=3)
    visit_data(m1, clinician, upcr_value=Decimal("1.4"))  # 158 mg/mmol, improved by 30 %: not A, not B
    obj, _ = h.save("bilag", m1, clinician)
    assert (obj.grade, codes(obj)) == ("C", ["proteinuria_mild"])
    assert obj.inputs["upcr_mg_mmol_previous"] == 226.24 and obj.inputs["previous_visit"] == "m0"
    assert obj.inputs["dipstick_protein_previous"] == 3
    assert any("Compared with: m0." == line for line in explain(obj))
    visit_data(m2, clinician, upcr_value=Decimal("1.2"))  # 135.7 vs 158.4: fell by only 14 %
    obj, _ = h.save("bilag", m2, clinician)
    assert (obj.grade, codes(obj)) == ("B", ["proteinuria_severe"])
    assert obj.inputs["previous_visit"] == "m1"


def test_a_creatinine_rise_of_115_to_130_percent_is_b(past, clinician):
    m0, m1 = h.visit(past, "m0"), h.visit(past, "m1")
    visit_data(m0, clinician, upcr_value=Decimal("0.1"), creatinine_value=Decimal("120"))
    visit_data(m1, clinician, upcr_value=Decimal("0.1"), creatinine_value=Decimal("150"))  # 125 %
    obj, _ = h.save("bilag", m1, clinician)
    assert (obj.grade, codes(obj)) == ("B", ["creatinine_rise_moderate"])


def test_a_bp_rise_from_the_vitals_is_c(past, clinician):
    m0, m1 = h.visit(past, "m0"), h.visit(past, "m1")
    visit_data(m0, clinician, {"systolic_bp": 120, "diastolic_bp": 80}, upcr_value=Decimal("0.1"))
    visit_data(m1, clinician, {"systolic_bp": 150, "diastolic_bp": 95}, upcr_value=Decimal("0.1"))
    obj, _ = h.save("bilag", m1, clinician)
    assert (obj.grade, codes(obj)) == ("C", ["bp_rise"])
    assert any("Blood pressure 150/95 mmHg (previous 120/80)" in line for line in explain(obj))


def test_missing_vitals_warn_and_are_recorded(p, clinician):
    v = h.visit(p, "m0")
    h.save("labs", v, clinician, **h.lab_values(v, upcr_value=Decimal("0.1")))
    with pytest.raises(SoftWarnings) as e:
        h.save("bilag", v, clinician)
    assert [w.code for w in e.value.warnings] == ["no_vitals"]
    assert BilagRenal.history.count() == 0
    obj, _ = h.save("bilag", v, clinician, acknowledge=True)
    assert obj.soft_warnings[0]["code"] == "no_vitals" and obj.grade == "D"


def test_an_edit_needs_a_reason(p, clinician):
    v = h.visit(p, "m0")
    visit_data(v, clinician, upcr_value=Decimal("2.0"))
    obj, _ = h.save("bilag", v, clinician)
    obj.nephrotic_syndrome = True
    with pytest.raises(ValidationError) as e:
        h.save("bilag", v, clinician, instance=obj)
    assert "reason_for_change" in e.value.message_dict
    assert BilagRenal.objects.get(pk=obj.pk).grade == "B" and obj.history.count() == 1


def test_the_page_shows_the_error_and_saves_nothing(p, clinician, client_for):
    v = h.visit(p, "m0")
    client = client_for(clinician)
    url = f"/visits/{v.pk}/crf/bilag/"
    response = client.post(url, {"active_urinary_sediment": "on"})
    assert response.status_code == 200
    assert "Enter this visit&#x27;s laboratory panel first" in response.content.decode()
    assert not BilagRenal.objects.exists()
    visit_data(v, clinician, upcr_value=Decimal("2.0"))
    assert client.post(url, {"active_urinary_sediment": "on"}).status_code == 302
    assert "Grade A (numeric score 12)." in client.get(url).content.decode()
