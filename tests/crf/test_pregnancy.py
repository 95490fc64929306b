"""Pregnancy test at months 0 and 6: results by sex, dates and reasons, a positive test warns
(protocol 2.5.3 discontinuation, protocol 2.2 exclusion 2)."""
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from crf import registry
from crf.models import PregnancyTest
from crf.services.entry import SoftWarnings
from tests.crf.helpers import MONTH0, TODAY, history_count, randomized_on, save_form, visit, visit_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def woman(site, clinician):
    return randomized_on(site, clinician)


@pytest.fixture
def man(site, clinician):
    return randomized_on(site, clinician, sex="M")


def test(p, user, code="m0", **values):
    fields = dict(result="negative", test_date=MONTH0, not_done_reason="")
    fields.update(values)
    return save_form("pregnancy", user, visit=visit(p, code), **fields)


test.__test__ = False  # a helper, not a test


def test_a_negative_test_saves_without_warnings(woman, clinician):
    row, warnings = test(woman, clinician)
    assert warnings == [] and PregnancyTest.objects.get().result == "negative"


def test_not_done_with_a_reason_is_accepted(woman, clinician):
    _, warnings = test(woman, clinician, result="not_done", test_date=None,
                       not_done_reason="Post-menopausal, 2 years amenorrhoea")
    assert warnings == []


def test_a_male_participant_has_not_applicable_and_only_that(man, clinician):
    for result in ("negative", "not_done"):
        with pytest.raises(ValidationError) as raised:
            test(man, clinician, result=result, test_date=None, not_done_reason="x" if result == "not_done" else "")
        assert "male" in raised.value.message_dict["result"][0]
    assert PregnancyTest.objects.count() == 0 and history_count(PregnancyTest) == 0
    row, warnings = test(man, clinician, result="not_applicable", test_date=None)
    assert warnings == [] and registry.get("pregnancy").explain(row) == ["Male participant: no pregnancy test."]


@pytest.mark.parametrize("values, field", [
    ({"result": "not_applicable", "test_date": None}, "result"),  # a woman
    ({"result": "positive", "test_date": None}, "test_date"),
    ({"result": "negative", "test_date": None}, "test_date"),
    ({"result": "not_done", "test_date": None, "not_done_reason": "  "}, "not_done_reason"),
    ({"result": "not_done", "test_date": MONTH0, "not_done_reason": "Refused"}, "test_date"),
    ({"result": "negative", "not_done_reason": "Refused"}, "not_done_reason"),
    ({"test_date": TODAY + timedelta(days=1)}, "test_date"),
    ({"result": "unclear"}, "result"),
])
def test_impossible_values_are_refused(woman, clinician, values, field):
    with pytest.raises(ValidationError) as raised:
        test(woman, clinician, **values)
    assert field in raised.value.message_dict
    assert PregnancyTest.objects.count() == 0 and history_count(PregnancyTest) == 0


def test_a_positive_test_proposes_discontinuation(woman, clinician):
    with pytest.raises(SoftWarnings) as raised:
        test(woman, clinician, code="m6", result="positive", test_date=visit(woman, "m6").target_date)
    [warning] = raised.value.warnings
    assert warning.code == "positive" and "2.5.3" in warning.message and "exclusion criterion 2" in warning.message
    assert PregnancyTest.objects.count() == 0
    row, _ = test(woman, clinician, code="m6", result="positive", test_date=visit(woman, "m6").target_date,
                  acknowledge=True)
    row.refresh_from_db()
    assert [w["code"] for w in row.soft_warnings] == ["positive"]


def test_an_edit_needs_a_reason(woman, clinician):
    row, _ = test(woman, clinician)
    with pytest.raises(ValidationError) as raised:
        save_form("pregnancy", clinician, visit=visit(woman, "m0"), instance=row, test_date=MONTH0 - timedelta(days=1))
    assert "reason_for_change" in raised.value.message_dict
    row.refresh_from_db()
    assert row.test_date == MONTH0 and history_count(PregnancyTest) == 1


def test_page_only_at_months_0_and_6(woman, clinician, client_for):
    client = client_for(clinician)
    assert client.get(visit_url(visit(woman, "m0"), "pregnancy")).status_code == 200
    assert client.get(visit_url(visit(woman, "m6"), "pregnancy")).status_code == 200
    assert client.get(visit_url(visit(woman, "m12"), "pregnancy")).status_code == 404


def test_page_shows_a_field_error_and_saves_nothing(man, clinician, client_for):
    response = client_for(clinician).post(visit_url(visit(man, "m0"), "pregnancy"), {
        "result": "negative", "test_date": MONTH0.isoformat(), "not_done_reason": ""})
    assert response.status_code == 200
    assert "The participant is male" in response.content.decode()
    assert PregnancyTest.objects.count() == 0
