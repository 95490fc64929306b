"""Screening, consent, eligibility, enrolment and screen-failure pages, and the visit date / missed forms,
fuzzed through the real pages: never 500, a refused post writes nothing (tests/fuzz/db.py)."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from edc.forms import screening as forms
from tests import factories
from tests.crf import helpers as h
from tests.fuzz.conftest import fuzz_client
from tests.fuzz.db import fuzz_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return timezone.localdate(timezone=factories.SHANGHAI)


@pytest.fixture
def c(clinician):
    return fuzz_client(clinician)


def _consent_time(p) -> str:
    return f"{p.screening_date.isoformat()}T10:30"


def test_screening_new(site, clinician, c, today):
    valid = {"site": site.pk, "screening_number": "S-0999", "screening_date": today - timedelta(days=1),
             "initials": "ZXM", "date_of_birth": "1990-05-17", "sex": "F"}
    fuzz_page(c, reverse("screening_new"), h.form_data(valid), form=forms.ScreeningForm(user=clinician),
              today=today)


def test_screening_edit(site, clinician, c, today):
    p = factories.screen(site, clinician)
    valid = {"screening_number": p.screening_number, "screening_date": p.screening_date, "initials": "QQ",
             "date_of_birth": p.date_of_birth, "sex": p.sex, "reason_for_change": "typo"}
    fuzz_page(c, reverse("screening_edit", args=[p.pk]), h.form_data(valid), form=forms.ScreeningEditForm(),
              today=today)


def test_consent_new(site, clinician, c, today):
    p = factories.screen(site, clinician)
    valid = {"kind": "main", "form_version": "1.0", "consented_at": _consent_time(p), "obtained_by": clinician.pk}
    fuzz_page(c, reverse("consent_new", args=[p.pk]), h.form_data(valid),
              form=forms.ConsentForm(participant=p), today=today)


def test_consent_edit(site, clinician, c, today):
    p = factories.screen(site, clinician)
    consent = factories.consent(p, clinician)
    valid = {"form_version": "1.1", "consented_at": _consent_time(p), "obtained_by": clinician.pk,
             "reason_for_change": "wrong version noted"}
    fuzz_page(c, reverse("consent_edit", args=[p.pk, consent.pk]), h.form_data(valid),
              form=forms.ConsentEditForm(participant=p), today=today)


def _eligibility_post(p) -> dict:
    return h.form_data(factories.eligibility_answers(p))


def test_eligibility_new(site, clinician, c, today):
    p = factories.screen(site, clinician)
    factories.consent(p, clinician)
    fuzz_page(c, reverse("eligibility", args=[p.pk]), _eligibility_post(p), form=forms.EligibilityForm(),
              today=today, examples=30)


def test_eligibility_edit(site, clinician, c, today):
    p = factories.screen(site, clinician)
    factories.consent(p, clinician)
    factories.assess(p, clinician)
    valid = {**_eligibility_post(p), "acr_criteria_met": "7", "reason_for_change": "recounted"}
    fuzz_page(c, reverse("eligibility", args=[p.pk]), valid, form=forms.EligibilityEditForm(), today=today,
              examples=30)


def test_enrol_and_screen_failure(site, clinician, c, today):
    p = factories.screen(site, clinician)
    factories.consent(p, clinician)
    factories.assess(p, clinician)
    fuzz_page(c, reverse("enrol", args=[p.pk]), {"prior_therapy": "gc_cyc"}, form=forms.EnrolmentForm(),
              today=today, examples=15)
    fuzz_page(c, reverse("screen_failure", args=[p.pk]), {"reason_code": "other", "note": "moved away"},
              form=forms.ScreenFailureForm(), today=today, examples=15)


def test_login_form(site, clinician):
    from django.test import Client

    fuzz_page(Client(raise_request_exception=False), reverse("login"),
              {"username": clinician.username, "password": factories.PASSWORD}, examples=15)


def test_visit_date_and_missed_forms(trial, clinician_client):
    from crf.forms import MissedForm, VisitDateForm

    url = reverse("visit_detail", args=[trial.m6.pk])
    fuzz_page(clinician_client, url, {"visit_date": trial.today.isoformat(), "reason_for_change": ""},
              form=VisitDateForm(), today=trial.today, examples=20)
    fuzz_page(clinician_client, url, {"missed_reason": "Hospitalised elsewhere"}, form=MissedForm(),
              today=trial.today, examples=10)
