"""Every eCRF of crf.registry posted through its real page by a signed-in clinician, at a visit that is
open (month 6 of a participant randomized six months ago): for any POST data the page answers, never
500, and a rejected post writes nothing. Each form is fuzzed both as a new entry and as a correction of a
saved one (which needs a reason for change)."""
from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import event, given
from hypothesis import strategies as st

from crf import registry
from tests.crf import helpers as h
from tests.fuzz.db import posted
from tests.fuzz.strategies import clean_values, fuzz, post_data

pytestmark = pytest.mark.django_db
CONTROLS = ["reason_for_change", "acknowledge", "draft"]


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def valid_post(key: str, t) -> tuple[str, dict]:
    """(visit code or "" for a log form, POST data the page accepts)."""
    now, today = timezone.now(), t.today
    biopsy = dict(endocapillary_hypercellularity=3, neutrophils_karyorrhexis=2, fibrinoid_necrosis=1,
                  hyaline_deposits=1, cellular_fibrocellular_crescents=1, interstitial_inflammation=2,
                  total_glomerulosclerosis=1, fibrous_crescents=0, tubular_atrophy=1, interstitial_fibrosis=1)
    m3 = h.visit(t.p, "m3")
    values = {
        "vitals": ("m6", h.vitals_values(t.m6)),
        "labs": ("m3", h.lab_values(m3)),
        "sledai": ("m6", {"window_days": 30, "proteinuria": "on", "haematuria": "on"}),
        "bilag": ("m6", {"active_urinary_sediment": "on", "dipstick_protein": 2}),
        "response": ("m6", {"investigator_confirmed": "on", "investigator_comment": ""}),
        "biospecimen": ("m6", {"sample_type": "blood_urine", "tubes": 6,
                               "collected_at": _local(now - timedelta(hours=2)),
                               "frozen_at": _local(now - timedelta(hours=1)), "storage_temp_c": "-80",
                               "freezer": "F-03", "box": "B-12", "position": "A1"}),
        "pregnancy": ("m6", {"result": "negative", "test_date": today}),
        "infusion": ("m6", {"bag_blind_code": t.p.randomization.blind_code,
                            "started_at": _local(now - timedelta(minutes=120)),
                            "ended_at": _local(now - timedelta(minutes=75)), "volume_ml": 100,
                            "infusion_reaction": "False", "reaction_description": ""}),
        "biopsy": ("m6", {"biopsy_date": today, "isn_rps_class": "IV+V", "histological_response": "partial",
                          **biopsy}),
        "prednisone": ("", {"start_date": today - timedelta(days=10), "dose_mg_day": "20", "weight_kg": "60"}),
        "conmeds": ("", {"drug_name": "Losartan", "category": "antihypertensive", "dose_text": "50 mg daily",
                         "start_date": today - timedelta(days=20), "indication": "Hypertension"}),
        "deviation": ("", {"date": today - timedelta(days=5), "severity": "minor", "category": "other",
                           "description": "Visit outside window"}),
        "discontinuation": ("", {"date": today - timedelta(days=5), "reason": "withdrew_consent", "details": ""}),
        "death": ("", {"date": today - timedelta(days=1), "cause": "Septic shock", "relatedness": "Unlikely",
                       "autopsy": "False"}),
    }
    code, data = values[key]
    return code, {**h.form_data(data), "reason_for_change": "Corrected from the source", "acknowledge": "1"}


KEYS = ["bilag", "biopsy", "biospecimen", "conmeds", "death", "deviation", "discontinuation", "infusion", "labs",
        "prednisone", "pregnancy", "response", "sledai", "vitals"]


def test_every_registered_form_is_fuzzed():
    assert sorted(registry.REGISTRY) == KEYS  # a new eCRF needs its valid POST data in valid_post()


@pytest.mark.parametrize("key", KEYS)
def test_a_form_page_never_fails_and_a_refused_post_writes_nothing(key, trial, clinician_client):
    crf_type = registry.get(key)
    code, valid = valid_post(key, trial)
    new_url = f"/visits/{h.visit(trial.p, code).pk}/crf/{key}/" if code else f"/participants/{trial.p.pk}/log/{key}/"

    def saved_one() -> str:
        """Save the valid form first (through the page); the fuzzed post then corrects it."""
        response = clinician_client.post(new_url, valid)
        assert response.status_code == 302, f"the valid {key} form was refused"
        if not crf_type.log:
            return new_url
        row = crf_type.model.objects.filter(participant=trial.p).latest("created_at")
        return f"{new_url}{row.pk}/"

    # The starting point is really accepted, as a new form and as a correction.
    assert posted(clinician_client, new_url, valid).status_code == 302
    assert posted(clinician_client, new_url, valid, setup=saved_one).status_code == 302

    form = crf_type.form(instance=crf_type.model(participant=trial.p))
    clean = clean_values(form, trial.today)

    @fuzz(30)
    @given(data=post_data(valid, CONTROLS, clean=clean), correction=st.booleans())
    def fuzzed(data, correction):
        response = posted(clinician_client, new_url, data, setup=saved_one if correction else None)
        event(f"{'correction' if correction else 'new'}: {response.status_code}")

    fuzzed()
