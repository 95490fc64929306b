"""Eligibility (protocol 2.2): computed verdict, failing criteria named, screen failure recorded."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from edc.models import EligibilityAssessment, Participant
from tests import factories

pytestmark = pytest.mark.django_db


def consented(site, user, **screen_kwargs):
    p = factories.screen(site, user, **screen_kwargs)
    factories.consent(p, user)
    return p


def test_an_eligible_person(site, clinician):
    p = consented(site, clinician)
    a = factories.assess(p, clinician)
    assert a.eligible and a.failed_criteria == []
    p.refresh_from_db()
    assert p.status == "screening"


def test_egfr_uses_the_reference_vector(site, clinician):
    # docs/DOMAIN.md §1.3: F, 35 y, Scr 80 µmol/L -> 84.9
    screening_date = date.today() - timedelta(days=3)
    dob = date(screening_date.year - 35, 1, 1)  # 35 on any day of the year
    p = consented(site, clinician, date_of_birth=dob, screening_date=screening_date)
    a = factories.assess(p, clinician, creatinine_value=Decimal("80"), creatinine_unit="umol/L")
    assert a.age_at_screening == 35 and a.egfr == Decimal("84.9")


def test_it_names_every_failing_criterion_and_records_a_screen_failure(site, clinician):
    p = consented(site, clinician)
    a = factories.assess(p, clinician, biopsy_class="II", creatinine_value=Decimal("4.0"),
                         creatinine_unit="mg/dL", exc8=True, exc8_note="breast cancer 2015")
    assert not a.eligible
    assert a.failed_criteria == ["inc3", "exc5", "exc8"]
    p.refresh_from_db()
    assert p.status == "screen_failed" and p.screen_failure_reasons == ["inc3", "exc5", "exc8"]


def test_age_is_computed_at_the_screening_date(site, clinician):
    screening_date = date.today() - timedelta(days=1)
    p = consented(site, clinician, screening_date=screening_date,
                  date_of_birth=date(screening_date.year - 66, 1, 1))
    a = factories.assess(p, clinician)
    assert a.age_at_screening == 66 and a.failed_criteria == ["inc1"]


def test_first_line_therapy_outside_6_to_12_months_fails_inclusion_3(site, clinician):
    p = consented(site, clinician)
    a = factories.assess(p, clinician, first_line_start_date=p.screening_date - timedelta(days=60))
    assert a.months_on_first_line < 6 and a.failed_criteria == ["inc3"]


def test_partial_response_on_first_line_is_not_refractory(site, clinician):
    p = consented(site, clinician)
    a = factories.assess(p, clinician, first_line_response="partial")
    assert a.failed_criteria == ["inc3"]


def test_eligibility_before_consent_is_refused(site, clinician):
    p = factories.screen(site, clinician)
    with pytest.raises(ValidationError, match="main informed consent"):
        factories.assess(p, clinician)
    assert EligibilityAssessment.objects.count() == 0
    assert EligibilityAssessment.history.count() == 0


def test_eligibility_page_before_consent_redirects_with_message(site, clinician, client_for):
    p = factories.screen(site, clinician)
    r = client_for(clinician).get(reverse("eligibility", args=[p.pk]), follow=True)
    assert b"main informed consent" in r.content
    assert EligibilityAssessment.objects.count() == 0


@pytest.mark.parametrize("value, unit", [
    (Decimal("0"), "umol/L"), (Decimal("-5"), "umol/L"), (Decimal("40000"), "umol/L"),
    (Decimal("99"), "mg/dL"),
])
def test_absurd_creatinine_is_refused(site, clinician, value, unit):
    p = consented(site, clinician)
    with pytest.raises(ValidationError) as error:
        factories.assess(p, clinician, creatinine_value=value, creatinine_unit=unit)
    assert "creatinine_value" in error.value.message_dict
    assert EligibilityAssessment.objects.count() == 0
    assert EligibilityAssessment.history.count() == 0
    assert Participant.objects.get().status == "screening"


def test_the_form_shows_creatinine_errors_and_saves_nothing(site, clinician, client_for):
    p = consented(site, clinician)
    data = {k: ("" if v is None else v) for k, v in factories.eligibility_answers(p).items()}
    data["creatinine_value"] = "0"
    r = client_for(clinician).post(reverse("eligibility", args=[p.pk]), data)
    assert r.status_code == 200
    assert b"is not possible (accepted: 10 to 2500" in r.content  # the plausibility table
    assert EligibilityAssessment.objects.count() == 0


def test_an_unanswered_exclusion_is_an_error(site, clinician, client_for):
    p = consented(site, clinician)
    data = {k: v for k, v in factories.eligibility_answers(p).items() if k != "exc8"}
    r = client_for(clinician).post(reverse("eligibility", args=[p.pk]), data)
    assert r.status_code == 200 and b"This field is required" in r.content
    assert EligibilityAssessment.objects.count() == 0


def test_a_correction_recomputes_the_verdict_with_a_reason(site, clinician):
    p = consented(site, clinician)
    a = factories.assess(p, clinician, exc10=True)
    assert not a.eligible
    with pytest.raises(ValidationError, match="reason"):
        factories.eligibility_svc.update_eligibility(a, user=clinician, reason="", exc10=False)
    a = EligibilityAssessment.objects.get()
    assert not a.eligible and a.history.count() == 1
    factories.eligibility_svc.update_eligibility(a, user=clinician, reason="infection resolved",
                                                 exc10=False)
    a.refresh_from_db()
    p.refresh_from_db()
    assert a.eligible and p.status == "screening" and p.screen_failure_reasons == []
