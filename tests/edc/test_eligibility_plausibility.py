"""Eligibility through the real page (protocol 2.2; docs/DATA_QUALITY.md): a creatinine impossible in
its unit is refused (never "Eligible" with eGFR 297); the eGFR uses the age on the creatinine sample
date; an old creatinine and a first-line start more than 12 months ago are warned, saved only when the
investigator acknowledges, and recorded with the assessment."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from edc.clinical.eligibility import EligibilityInput, assess_eligibility
from edc.models import EligibilityAssessment
from tests import factories
from tests.fuzz.db import changed_tables, table_counts

pytestmark = pytest.mark.django_db


def consented(site, user, **screen_kwargs):
    p = factories.screen(site, user, **screen_kwargs)
    factories.consent(p, user)
    return p


def post(client, p, **overrides):
    data = {k: ("" if v is None else v) for k, v in factories.eligibility_answers(p, **overrides).items()}
    before = table_counts()
    r = client.post(reverse("eligibility", args=[p.pk]), data)
    return r, changed_tables(before, table_counts())


def test_creatinine_1_2_with_umol_selected_is_refused_naming_mg_dl(site, clinician, client_for):
    p = consented(site, clinician)
    r, changes = post(client_for(clinician), p, creatinine_value="1.2", creatinine_unit="umol/L")
    assert r.status_code == 200 and changes == {}
    message = r.context["form"].errors["creatinine_value"][0]
    assert "mg/dL" in message and "not possible" in message
    assert b"Eligible: all criteria met" not in r.content
    assert not EligibilityAssessment.objects.exists()


def test_an_acr_count_above_11_is_refused(site, clinician, client_for):
    p = consented(site, clinician)
    r, changes = post(client_for(clinician), p, acr_criteria_met="12")
    assert changes == {} and "acr_criteria_met" in r.context["form"].errors


def test_an_old_creatinine_warns_and_is_recorded_when_acknowledged(site, clinician, client_for):
    p = consented(site, clinician)
    c = client_for(clinician)
    old = p.screening_date - timedelta(days=45)
    r, changes = post(c, p, creatinine_date=old.isoformat())
    assert r.status_code == 200 and changes == {}
    assert [w.code for w in r.context["warnings"]] == ["creatinine_not_recent"]
    assert "45 days" in r.context["warnings"][0].message
    r, changes = post(c, p, creatinine_date=old.isoformat(), acknowledge="1")
    assert r.status_code == 302
    a = EligibilityAssessment.objects.get()
    assert a.eligible and [w["code"] for w in a.soft_warnings] == ["creatinine_not_recent"]


def test_first_line_more_than_12_months_ago_asks_the_investigator_to_confirm(site, clinician, client_for):
    p = consented(site, clinician)
    c = client_for(clinician)
    start = (p.screening_date - timedelta(days=420)).isoformat()  # ~13.8 months, never PR/CR
    r, changes = post(c, p, first_line_start_date=start)
    assert changes == {} and [w.code for w in r.context["warnings"]] == ["inc3_over_12_months"]
    r, _changes = post(c, p, first_line_start_date=start, acknowledge="1")
    a = EligibilityAssessment.objects.get()
    assert a.eligible and a.failed_criteria == [] and a.months_on_first_line == 13
    assert "inc3_over_12_months" in [w["code"] for w in a.soft_warnings]


def test_first_line_less_than_6_months_fails_inclusion_3(site, clinician):
    p = consented(site, clinician)
    a = factories.assess(p, clinician, first_line_start_date=p.screening_date - timedelta(days=150))
    assert not a.eligible and a.failed_criteria == ["inc3"]


def test_egfr_uses_the_age_on_the_creatinine_sample_date():
    # Born 2000-06-10; screening on 2025-06-20 (age 25), creatinine sampled 2025-06-01 (age 24).
    base = dict(date_of_birth=date(2000, 6, 10), sex="F", screening_date=date(2025, 6, 20),
                main_consent_given=True, acr_criteria_met=6, biopsy_class="IV", biopsy_active=True,
                first_line_start_date=date(2024, 10, 1), first_line_response="none",
                severe_hepatic_dysfunction=False, creatinine_value=80.0, creatinine_unit="umol/L",
                exclusions={f"exc{n}": False for n in (2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14)})
    at_sample = assess_eligibility(EligibilityInput(**base, creatinine_date=date(2025, 6, 1)))
    at_screening = assess_eligibility(EligibilityInput(**base, creatinine_date=date(2025, 6, 20)))
    assert at_sample.age == 25 and at_sample.egfr > at_screening.egfr  # one year younger: higher eGFR
    from edc.clinical.egfr import egfr_ckd_epi_2021
    assert at_sample.egfr == pytest.approx(egfr_ckd_epi_2021(80 / 88.4, 24, "F"))


def test_a_creatinine_before_birth_is_refused(site, clinician, client_for):
    p = consented(site, clinician)
    r, changes = post(client_for(clinician), p,
                      creatinine_date=(p.date_of_birth - timedelta(days=1)).isoformat())
    assert changes == {} and "creatinine_date" in r.context["form"].errors


def test_a_plausible_creatinine_in_mg_dl_is_eligible(site, clinician):
    p = consented(site, clinician)
    a = factories.assess(p, clinician, creatinine_value=Decimal("0.9"), creatinine_unit="mg/dL")
    assert a.eligible and a.soft_warnings == []
