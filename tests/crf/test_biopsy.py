"""Kidney biopsy eCRF (any visit): NIH activity/chronicity indices against the docs/DOMAIN.md §5.2
worked example, component scores outside 0–3 refused, the arithmetic explained."""
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from crf.ecrf.biopsy import KidneyBiopsyForm, explain
from crf.models import KidneyBiopsy
from tests.crf import helpers as h

pytestmark = pytest.mark.django_db

WORKED = dict(endocapillary_hypercellularity=3, neutrophils_karyorrhexis=2, fibrinoid_necrosis=1,
              hyaline_deposits=1, cellular_fibrocellular_crescents=1, interstitial_inflammation=2,
              total_glomerulosclerosis=1, fibrous_crescents=0, tubular_atrophy=1, interstitial_fibrosis=1)


@pytest.fixture
def past(site, clinician):
    return h.past_participant(site, clinician)


def values(v, **overrides) -> dict:
    return {"biopsy_date": h.day_of(v), "isn_rps_class": "IV+V", "histological_response": "partial",
            **WORKED, **overrides}


def test_the_worked_example_gives_ai_12_and_ci_3(past, clinician):
    v = h.visit(past, "m12")
    obj, warnings = h.save("biopsy", v, clinician, **values(v))
    stored = KidneyBiopsy.objects.get(pk=obj.pk)
    assert (stored.activity_index, stored.chronicity_index, warnings) == (12, 3, [])
    lines = explain(stored)
    assert lines[1] == ("Activity index = Endocapillary hypercellularity 3×1 + Neutrophils and/or "
                        "karyorrhexis 2×1 + Fibrinoid necrosis 1×2 + Hyaline deposits (wire loops and/or "
                        "hyaline thrombi) 1×1 + Cellular and/or fibrocellular crescents 1×2 + Interstitial "
                        "inflammation 2×1 = 12 of 24.")
    assert lines[2].endswith("Interstitial fibrosis 1×1 = 3 of 12.")
    assert "ISN/RPS class IV+V; histological response: Partial." == lines[0]


@pytest.mark.parametrize("score,ai,ci", [(0, 0, 0), (3, 24, 12)])
def test_the_index_extremes(past, clinician, score, ai, ci):
    v = h.visit(past, "m6")
    obj, _ = h.save("biopsy", v, clinician, **values(v, **{k: score for k in WORKED}))
    assert (obj.activity_index, obj.chronicity_index) == (ai, ci)


def test_the_form_offers_every_isn_rps_class_and_double_weights_show(db):
    form = KidneyBiopsyForm()
    classes = [c for c, _ in form.fields["isn_rps_class"].choices if c]
    assert classes == ["I", "II", "III", "IV", "V", "VI", "III+V", "IV+V"]
    assert form.fields["fibrinoid_necrosis"].label == "Fibrinoid necrosis (×2)"
    assert "activity_index" not in form.fields
    assert [c for c, _ in form.fields["histological_response"].choices if c] == [
        "complete", "partial", "none", "not_assessable"]


@pytest.mark.parametrize("score", [4, -1, True, None])
def test_a_component_outside_0_to_3_is_refused(past, clinician, score):
    v = h.visit(past, "m6")
    with pytest.raises(ValidationError) as e:
        h.save("biopsy", v, clinician, **values(v, fibrinoid_necrosis=score))
    assert list(e.value.message_dict) == ["fibrinoid_necrosis"]
    assert e.value.message_dict["fibrinoid_necrosis"][0] in (
        "Score each component 0, 1, 2 or 3.", f"Fibrinoid necrosis {score} is not possible (accepted: 0 to 3).")
    assert not KidneyBiopsy.objects.exists() and KidneyBiopsy.history.count() == 0


def test_a_biopsy_date_in_the_future_is_refused(site, clinician):
    p = h.participant(site, clinician)
    v = h.visit(p, "m0")
    with pytest.raises(ValidationError) as e:
        h.save("biopsy", v, clinician, **values(v, biopsy_date=v.target_date + timedelta(days=2)))
    assert "future" in e.value.message_dict["biopsy_date"][0]
    assert KidneyBiopsy.history.count() == 0


def test_an_edit_needs_a_reason(past, clinician):
    v = h.visit(past, "m6")
    obj, _ = h.save("biopsy", v, clinician, **values(v))
    obj.tubular_atrophy = 3
    with pytest.raises(ValidationError) as e:
        h.save("biopsy", v, clinician, instance=obj)
    assert "reason_for_change" in e.value.message_dict
    assert KidneyBiopsy.objects.get(pk=obj.pk).chronicity_index == 3 and obj.history.count() == 1
    h.save("biopsy", v, clinician, instance=obj, reason="Pathology report amended")
    assert KidneyBiopsy.objects.get(pk=obj.pk).chronicity_index == 5


def test_the_page_works_at_any_visit_and_shows_field_errors(past, clinician, client_for):
    v = h.visit(past, "m2")  # the schedule lists no biopsy at month 2: any_visit
    client = client_for(clinician)
    url = f"/visits/{v.pk}/crf/biopsy/"
    assert client.get(url).status_code == 200
    data = h.form_data(values(v, fibrinoid_necrosis=4))
    response = client.post(url, data)
    assert response.status_code == 200 and "4 is not possible (accepted: 0 to 3)." \
        in response.content.decode()  # the plausibility table's message, not "Select a valid choice"
    assert not KidneyBiopsy.objects.exists()
    assert client.post(url, h.form_data(values(v))).status_code == 302
    assert "= 12 of 24." in client.get(url).content.decode()
