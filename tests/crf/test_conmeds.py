"""Concomitant medications (protocol 2.5.5): start/stop dates, prohibited categories warn, and once
saved anyway the page offers a protocol deviation prefilled from the row."""
import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from crf.models import ConcomitantMedication, ProtocolDeviation
from crf.models.conmeds import PROHIBITED_CATEGORIES
from crf.services.entry import SoftWarnings
from tests.crf.helpers import MONTH0, TODAY, history_count, log_url, randomized_on, save_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def p(site, clinician):
    return randomized_on(site, clinician)


def conmed(p, user, category="mycophenolate", **values):
    fields = dict(drug_name="Mycophenolate mofetil", category=category, dose_text="500 mg twice daily",
                  start_date=MONTH0 + timedelta(days=40), stop_date=None, indication="Lupus nephritis")
    fields.update(values)
    return save_form("conmeds", user, participant=p, **fields)


def test_the_prohibited_categories_are_every_conventional_and_targeted_therapy():
    # protocol 2.5.5: all conventional immunosuppressants and targeted therapies are prohibited
    assert PROHIBITED_CATEGORIES == {
        "mycophenolate", "cyclophosphamide", "azathioprine", "calcineurin_inhibitor", "methotrexate",
        "leflunomide", "rituximab", "belimumab", "anifrolumab", "obinutuzumab", "other_biologic"}


@pytest.mark.parametrize("category", ["hydroxychloroquine", "antihypertensive", "other"])
def test_permitted_categories_save_without_warning(p, clinician, category):
    row, warnings = conmed(p, clinician, category=category, drug_name="Drug")
    assert warnings == [] and ConcomitantMedication.objects.get().soft_warnings == []


@pytest.mark.parametrize("category", ["tacrolimus_typo"])
def test_an_unknown_category_is_refused(p, clinician, category):
    with pytest.raises(ValidationError):
        conmed(p, clinician, category=category)
    assert ConcomitantMedication.objects.count() == 0


@pytest.mark.parametrize("category", ["mycophenolate", "calcineurin_inhibitor", "rituximab", "belimumab"])
def test_prohibited_during_the_study_warns_and_is_recorded_when_saved_anyway(p, clinician, category):
    with pytest.raises(SoftWarnings) as raised:
        conmed(p, clinician, category=category)
    [warning] = raised.value.warnings
    assert warning.code == "prohibited_conmed"
    assert "prohibited (protocol 2.5.5) — a protocol deviation is proposed" in warning.message
    assert ConcomitantMedication.objects.count() == 0 and history_count(ConcomitantMedication) == 0
    row, _ = conmed(p, clinician, category=category, acknowledge=True)
    row.refresh_from_db()
    assert [w["code"] for w in row.soft_warnings] == ["prohibited_conmed"] and row.prohibited_warning_saved


def test_prior_therapy_stopped_before_month0_is_not_a_deviation(p, clinician):
    _, warnings = conmed(p, clinician, start_date=None, started_before_screening=True,
                         stop_date=MONTH0 - timedelta(days=1))
    assert warnings == []
    with pytest.raises(SoftWarnings):  # still taken on the day of month 0
        conmed(p, clinician, start_date=None, started_before_screening=True, stop_date=MONTH0)


@pytest.mark.parametrize("values, field", [
    ({"start_date": MONTH0 + timedelta(days=40), "stop_date": MONTH0 + timedelta(days=39)}, "stop_date"),
    ({"start_date": None, "started_before_screening": False}, "start_date"),
    ({"start_date": MONTH0, "started_before_screening": True}, "start_date"),
    ({"start_date": TODAY + timedelta(days=1)}, "start_date"),  # generic timeline check
])
def test_impossible_dates_are_refused(p, clinician, values, field):
    with pytest.raises(ValidationError) as raised:
        conmed(p, clinician, category="hydroxychloroquine", **values)
    assert field in raised.value.message_dict
    assert ConcomitantMedication.objects.count() == 0 and history_count(ConcomitantMedication) == 0


def test_stop_on_the_start_day_is_allowed(p, clinician):
    start = MONTH0 + timedelta(days=40)
    _, warnings = conmed(p, clinician, category="other", start_date=start, stop_date=start)
    assert warnings == []


def test_an_edit_needs_a_reason(p, clinician):
    row, _ = conmed(p, clinician, category="antihypertensive", drug_name="Losartan")
    with pytest.raises(ValidationError) as raised:
        save_form("conmeds", clinician, instance=row, dose_text="100 mg daily")
    assert "reason_for_change" in raised.value.message_dict
    row.refresh_from_db()
    assert row.dose_text == "500 mg twice daily" and history_count(ConcomitantMedication) == 1


def test_page_shows_a_field_error_and_saves_nothing(p, clinician, client_for):
    response = client_for(clinician).post(log_url(p, "conmeds"), {
        "drug_name": "Losartan", "category": "antihypertensive", "dose_text": "50 mg daily",
        "start_date": (MONTH0 + timedelta(days=10)).isoformat(), "stop_date": MONTH0.isoformat(),
        "indication": "Hypertension"})
    assert response.status_code == 200
    assert "The stop date cannot precede the start date" in response.content.decode()
    assert ConcomitantMedication.objects.count() == 0


def test_saved_anyway_the_page_offers_a_prefilled_deviation(p, clinician, client_for):
    client = client_for(clinician)
    data = {"drug_name": "Tacrolimus", "category": "calcineurin_inhibitor", "dose_text": "2 mg twice daily",
            "start_date": (MONTH0 + timedelta(days=40)).isoformat(), "indication": "Persistent proteinuria"}
    assert 'data-warning="prohibited_conmed"' in client.post(log_url(p, "conmeds"), data).content.decode()
    saved = client.post(log_url(p, "conmeds"), {**data, "acknowledge": "1"}, follow=True)
    row = ConcomitantMedication.objects.get()
    link = f"/participants/{p.pk}/log/deviation/?from_conmed={row.pk}"
    assert link in saved.content.decode()
    assert link in client.get(log_url(p, "conmeds", row)).content.decode()  # the row's own page too

    page = client.get(link).content.decode()
    description = re.search(r'<textarea name="description"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    assert "Tacrolimus" in description and "protocol 2.5.5" in description and "2 mg twice daily" in description
    assert re.search(r'<option value="prohibited_medication" selected>', page)
    assert f'name="conmed" value="{row.pk}"' in page

    posted = client.post(link, {"date": (MONTH0 + timedelta(days=40)).isoformat(), "severity": "major",
                                "category": "prohibited_medication", "description": description.strip(),
                                "corrective_action": "Stopped", "conmed": str(row.pk)})
    assert posted.status_code == 302
    deviation = ProtocolDeviation.objects.get()
    assert deviation.conmed == row and deviation.participant == p
    after = client.get(log_url(p, "conmeds")).content.decode()
    assert link not in after and "deviation recorded" in after


def test_another_participants_conmed_prefills_nothing(p, site, clinician, client_for):
    other = randomized_on(site, clinician)
    row, _ = conmed(other, clinician, acknowledge=True)
    page = client_for(clinician).get(f"{log_url(p, 'deviation')}?from_conmed={row.pk}").content.decode()
    assert "Mycophenolate" not in page
    assert client_for(clinician).get(f"{log_url(p, 'deviation')}?from_conmed=not-a-uuid").status_code == 200
