"""SLEDAI-2K eCRF: total derived, the window recorded, ticks pre-suggested from the same visit's
labs (with the reference limits), and soft warnings when ticks and labs disagree either way."""
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from crf.ecrf.sledai import SledaiForm, explain
from crf.models import ReferenceRange, SledaiAssessment
from crf.services.entry import SoftWarnings
from crf.services.reference_ranges import ensure_reference_ranges
from edc.clinical.sledai import DESCRIPTORS
from tests.crf import helpers as h

pytestmark = pytest.mark.django_db

QUIET_LABS = dict(upcr_value=Decimal("0.3"))  # with the helper's defaults: nothing suggested
ACTIVE_LABS = dict(urine_protein_24h_g=Decimal("0.80"), urine_rbc_hpf=Decimal("12"),
                   urine_wbc_hpf=Decimal("3"), urinary_casts="red_cell", c3_g_l=Decimal("0.6"),
                   anti_dsdna_iu_ml=Decimal("250"), platelets_10e9_l=Decimal("90"))


@pytest.fixture
def p(site, clinician):
    return h.participant(site, clinician)


@pytest.fixture
def m0(p):
    return h.visit(p, "m0")


def labs(v, user, **overrides):
    return h.save("labs", v, user, acknowledge=True, **h.lab_values(v, **overrides))[0]


def test_every_descriptor_is_a_field_and_the_window_defaults_to_30_days():
    names = {f.name for f in SledaiAssessment._meta.fields}
    assert {d.code for d in DESCRIPTORS} <= names
    assert SledaiAssessment._meta.get_field("window_days").default == 30
    form = SledaiForm(instance=SledaiAssessment())
    assert form.fields["seizure"].label == "Seizure (8)" and form.fields["fever"].label == "Fever (1)"
    assert "total" not in form.fields


def test_the_total_is_derived_and_explained_with_weights(m0, clinician):
    labs(m0, clinician, **ACTIVE_LABS)
    ticks = {c: True for c in ("proteinuria", "haematuria", "urinary_casts", "low_complement",
                               "dna_binding", "thrombocytopenia", "arthritis", "seizure")}
    obj, warnings = h.save("sledai", m0, clinician, **ticks)
    assert warnings == []
    stored = SledaiAssessment.objects.get(visit=m0)
    assert stored.total == 4 + 4 + 4 + 2 + 2 + 1 + 4 + 8 == 29
    lines = explain(stored)
    assert "SLEDAI-2K total 29 of 105 = Seizure 8 + Arthritis 4 + Urinary casts 4 + Haematuria 4" in lines[0]
    assert "Renal sub-score (casts, haematuria, proteinuria, pyuria): 12 of 16." in lines
    assert any("30 days" in line for line in lines)
    assert stored.lab_suggestions == ["urinary_casts", "haematuria", "proteinuria", "low_complement",
                                      "dna_binding", "thrombocytopenia"]


def test_all_24_descriptors_make_105(m0, clinician):
    labs(m0, clinician, **{**ACTIVE_LABS, "urine_wbc_hpf": Decimal("9"), "wbc_10e9_l": Decimal("2.5")})
    obj, _ = h.save("sledai", m0, clinician, **{d.code: True for d in DESCRIPTORS})
    assert obj.total == 105


def test_a_new_form_is_pre_ticked_from_the_visits_labs(m0, clinician):
    labs(m0, clinician, **ACTIVE_LABS)
    form = SledaiForm(instance=SledaiAssessment(participant=m0.participant, visit=m0))
    suggested = {c for c in form.initial if form.initial[c] is True}
    assert suggested == {"proteinuria", "haematuria", "urinary_casts", "low_complement", "dna_binding",
                         "thrombocytopenia"}
    help_text = form.fields["proteinuria"].help_text
    assert "Suggested from this visit's labs: 24-h urine protein 0.80 g" in help_text
    assert "C3 0.600 g/L (lower limit 0.900)" in form.fields["low_complement"].help_text
    assert "Suggested" not in form.fields["pyuria"].help_text  # 3/HPF is not > 5
    # A saved form is not re-suggested: the investigator's ticks stand.
    obj, _ = h.save("sledai", m0, clinician, acknowledge=True)
    assert not SledaiForm(instance=obj).initial["proteinuria"]


def test_the_suggestion_uses_the_edited_reference_limits(m0, clinician):
    ensure_reference_ranges()
    c3 = ReferenceRange.objects.get(analyte="c3")
    c3.lower = Decimal("0.5")
    c3.save()
    labs(m0, clinician, **ACTIVE_LABS)
    form = SledaiForm(instance=SledaiAssessment(participant=m0.participant, visit=m0))
    assert not form.initial.get("low_complement")  # C3 0.6 is not below 0.5


def test_upcr_stands_in_for_a_missing_24h_collection(m0, clinician):
    labs(m0, clinician, upcr_value=Decimal("0.6"))
    form = SledaiForm(instance=SledaiAssessment(participant=m0.participant, visit=m0))
    assert form.initial.get("proteinuria") is True
    assert "UPCR 0.600 g/g (no 24-h collection)" in form.fields["proteinuria"].help_text


@pytest.mark.parametrize("lab_overrides,code", [
    ({"urine_protein_24h_g": Decimal("0.50"), "upcr_value": Decimal("2")}, "proteinuria"),  # 24-h wins
    ({"urine_rbc_hpf": Decimal("5")}, "haematuria"),
    ({"urine_wbc_hpf": Decimal("5")}, "pyuria"),
    ({"urinary_casts": "other"}, "urinary_casts"),
    ({"c3_g_l": Decimal("0.9"), "c4_g_l": Decimal("0.1")}, "low_complement"),
    ({"anti_dsdna_iu_ml": Decimal("100")}, "dna_binding"),
    ({"platelets_10e9_l": Decimal("100")}, "thrombocytopenia"),
    ({"wbc_10e9_l": Decimal("3.0")}, "leukopenia"),
])
def test_a_tick_the_labs_contradict_warns(m0, clinician, lab_overrides, code):
    labs(m0, clinician, **{**QUIET_LABS, **lab_overrides})
    with pytest.raises(SoftWarnings) as e:
        h.save("sledai", m0, clinician, **{code: True})
    assert [(w.code, w.field) for w in e.value.warnings] == [(f"labs_contradict_{code}", code)]
    assert not SledaiAssessment.objects.exists() and SledaiAssessment.history.count() == 0
    obj, _ = h.save("sledai", m0, clinician, acknowledge=True, **{code: True})
    assert obj.soft_warnings[0]["code"] == f"labs_contradict_{code}"


@pytest.mark.parametrize("lab_overrides,code", [
    ({"urine_protein_24h_g": Decimal("0.51")}, "proteinuria"),
    ({"urine_rbc_hpf": Decimal("6")}, "haematuria"),
    ({"urine_wbc_hpf": Decimal("6")}, "pyuria"),
    ({"urinary_casts": "heme_granular"}, "urinary_casts"),
    ({"c4_g_l": Decimal("0.09")}, "low_complement"),
    ({"anti_dsdna_iu_ml": Decimal("100.1")}, "dna_binding"),
    ({"platelets_10e9_l": Decimal("99")}, "thrombocytopenia"),
    ({"wbc_10e9_l": Decimal("2.9")}, "leukopenia"),
])
def test_an_untick_the_labs_contradict_warns(m0, clinician, lab_overrides, code):
    labs(m0, clinician, **{**QUIET_LABS, **lab_overrides})
    with pytest.raises(SoftWarnings) as e:
        h.save("sledai", m0, clinician)
    assert [w.code for w in e.value.warnings] == [f"labs_suggest_{code}"]
    _, warnings = h.save("sledai", m0, clinician, **{code: True})
    assert warnings == []


def test_no_labs_and_a_non_protocol_window_warn(m0, clinician):
    with pytest.raises(SoftWarnings) as e:
        h.save("sledai", m0, clinician, window_days=10)
    assert [w.code for w in e.value.warnings] == ["window_not_protocol", "no_labs"]
    obj, _ = h.save("sledai", m0, clinician, window_days=10, acknowledge=True)
    assert [w["code"] for w in obj.soft_warnings] == ["window_not_protocol", "no_labs"]
    assert "Scoring window: the 10 days before the visit." in explain(obj)


def test_a_zero_day_window_is_refused(m0, clinician):
    labs(m0, clinician, **QUIET_LABS)
    with pytest.raises(ValidationError) as e:
        h.save("sledai", m0, clinician, window_days=0)
    assert "window_days" in e.value.message_dict
    assert SledaiAssessment.history.count() == 0


def test_an_edit_needs_a_reason_and_rederives_the_total(m0, clinician):
    labs(m0, clinician, **QUIET_LABS)
    obj, _ = h.save("sledai", m0, clinician, rash=True)
    assert obj.total == 2
    obj.arthritis = True
    with pytest.raises(ValidationError) as e:
        h.save("sledai", m0, clinician, instance=obj)
    assert "reason_for_change" in e.value.message_dict
    assert SledaiAssessment.objects.get(pk=obj.pk).total == 2 and obj.history.count() == 1
    h.save("sledai", m0, clinician, instance=obj, reason="Joint examination reviewed")
    assert SledaiAssessment.objects.get(pk=obj.pk).total == 6 and obj.history.count() == 2


def test_the_page_shows_suggestions_a_field_error_and_saves_nothing(m0, clinician, client_for):
    labs(m0, clinician, **ACTIVE_LABS)
    client = client_for(clinician)
    url = f"/visits/{m0.pk}/crf/sledai/"
    page = client.get(url).content.decode()
    assert "Suggested from this visit&#x27;s labs: urine RBC 12.0/HPF" in page
    assert re.search(r'name="haematuria"[^>]*checked', page)
    assert not re.search(r'name="pyuria"[^>]*checked', page)
    response = client.post(url, {"window_days": "0", "proteinuria": "on"})
    assert response.status_code == 200
    assert "is not possible (accepted: 1 to 90 days)" in response.content.decode()
    assert not SledaiAssessment.objects.exists()
