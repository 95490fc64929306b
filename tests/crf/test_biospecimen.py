"""Research biospecimens (protocol 2.12): only with the biospecimen consent, tubes, times and
storage checks, the schedule's visits only."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from crf.models import Biospecimen
from crf.services.entry import SoftWarnings
from edc.clinical.dates import add_months
from tests import factories
from tests.crf.helpers import MONTH0, at, history_count, randomized_on, save_form, visit, visit_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def p(site, clinician):
    p = randomized_on(site, clinician)
    factories.consent(p, clinician, kind="biospecimen")  # screening day, 10:00
    return p


def specimen(p, user, code="m0", **values):
    fields = dict(sample_type="blood_urine", tubes=6, collected_at=at(MONTH0, 9, 30),
                  frozen_at=at(MONTH0, 10, 45), storage_temp_c=Decimal("-80"), freezer="F-03", box="B-12",
                  position="A1-A6")
    fields.update(values)
    return save_form("biospecimen", user, visit=visit(p, code), **fields)


def test_a_complete_collection_saves_without_warnings(p, clinician):
    row, warnings = specimen(p, clinician)
    assert warnings == [] and Biospecimen.objects.get().tubes == 6
    assert row.storage_temp_c == Decimal("-80")
    assert Biospecimen._meta.get_field("storage_temp_c").default == Decimal("-80")  # protocol 2.12


def test_without_biospecimen_consent_nothing_is_collected(site, clinician):
    p = randomized_on(site, clinician)  # main consent only
    with pytest.raises(ValidationError) as raised:
        specimen(p, clinician)
    assert "protocol 2.12" in raised.value.message_dict["__all__"][0]
    assert Biospecimen.objects.count() == 0 and history_count(Biospecimen) == 0


@pytest.mark.parametrize("values, field", [
    ({"tubes": 0}, "tubes"),
    ({"tubes": 21}, "tubes"),
    ({"frozen_at": at(MONTH0, 9, 29)}, "frozen_at"),  # a minute before collection
    ({"collected_at": at(MONTH0 - timedelta(days=5)), "frozen_at": at(MONTH0)}, "collected_at"),  # pre-consent
    ({"collected_at": timezone.now() + timedelta(hours=1),
      "frozen_at": timezone.now() + timedelta(hours=2)}, "collected_at"),
    ({"storage_temp_c": Decimal("-250")}, "storage_temp_c"),
    ({"collected_at": None}, "collected_at"),
])
def test_impossible_values_are_refused(p, clinician, values, field):
    with pytest.raises(ValidationError) as raised:
        specimen(p, clinician, **values)
    assert field in raised.value.message_dict
    assert Biospecimen.objects.count() == 0 and history_count(Biospecimen) == 0


def test_one_and_twenty_tubes_and_freezing_at_collection_are_allowed(p, clinician):
    specimen(p, clinician, tubes=1, frozen_at=at(MONTH0, 9, 30))
    row, warnings = specimen(p, clinician, code="m6", tubes=20, collected_at=at(add_months(MONTH0, 6)),
                             frozen_at=at(add_months(MONTH0, 6), 11))
    assert warnings == [] and row.tubes == 20


@pytest.mark.parametrize("values, code", [
    ({"storage_temp_c": Decimal("-69.9")}, "storage_too_warm"),
    ({"frozen_at": at(MONTH0, 11, 31)}, "frozen_late"),  # 2 h 01 min
    ({"collected_at": at(MONTH0 + timedelta(days=8)), "frozen_at": at(MONTH0 + timedelta(days=8), 11)},
     "outside_window"),  # month 0 window: day 0 to day 7
])
def test_unusual_values_warn_and_are_recorded_when_saved_anyway(p, clinician, values, code):
    with pytest.raises(SoftWarnings) as raised:
        specimen(p, clinician, **values)
    assert [w.code for w in raised.value.warnings] == [code]
    assert Biospecimen.objects.count() == 0
    row, _ = specimen(p, clinician, acknowledge=True, **values)
    row.refresh_from_db()
    assert [w["code"] for w in row.soft_warnings] == [code]


def test_the_limits_themselves_do_not_warn(p, clinician):
    _, warnings = specimen(p, clinician, storage_temp_c=Decimal("-70"), frozen_at=at(MONTH0, 11, 30))
    assert warnings == []  # exactly −70 °C and exactly 2 hours


def test_an_edit_needs_a_reason(p, clinician):
    row, _ = specimen(p, clinician)
    with pytest.raises(ValidationError) as raised:
        save_form("biospecimen", clinician, visit=visit(p, "m0"), instance=row, box="B-13")
    assert "reason_for_change" in raised.value.message_dict
    row.refresh_from_db()
    assert row.box == "B-12" and history_count(Biospecimen) == 1


def test_page_only_at_the_biospecimen_visits(p, clinician, client_for):
    client = client_for(clinician)
    assert client.get(visit_url(visit(p, "m0"), "biospecimen")).status_code == 200
    assert client.get(visit_url(visit(p, "m24"), "biospecimen")).status_code == 200
    assert client.get(visit_url(visit(p, "m1"), "biospecimen")).status_code == 404


def test_page_shows_a_field_error_and_saves_nothing(p, clinician, client_for):
    response = client_for(clinician).post(visit_url(visit(p, "m0"), "biospecimen"), {
        "sample_type": "blood", "tubes": "4", "collected_at": f"{MONTH0}T10:00",
        "frozen_at": f"{MONTH0}T09:00", "storage_temp_c": "-80", "freezer": "F-03", "box": "B-12",
        "position": "A1"})
    assert response.status_code == 200
    assert "cannot be frozen before they were collected" in response.content.decode()
    assert Biospecimen.objects.count() == 0


def test_page_without_consent_says_why(site, clinician, client_for):
    p = randomized_on(site, clinician)
    response = client_for(clinician).post(visit_url(visit(p, "m0"), "biospecimen"), {
        "sample_type": "urine", "tubes": "2", "collected_at": f"{MONTH0}T10:00",
        "frozen_at": f"{MONTH0}T10:30", "storage_temp_c": "-80", "freezer": "F-03", "box": "B-12",
        "position": "A1"})
    assert "No biospecimen consent is recorded" in response.content.decode()
    assert Biospecimen.objects.count() == 0


def test_page_explains_consent_and_time_to_freezer(p, clinician, client_for):
    specimen(p, clinician)
    page = client_for(clinician).get(visit_url(visit(p, "m0"), "biospecimen")).content.decode()
    assert "Biospecimen consent version 1.0" in page and "Collection to freezer: 75 minutes" in page
