"""Enrolment (protocol 2.4): consented and eligible only; a pseudonymous ID with the site prefix."""
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from edc.models import Participant
from tests import factories

pytestmark = pytest.mark.django_db


def test_it_assigns_sequential_ids_per_site(site, other_site, clinician, other_clinician):
    a = factories.enrolled_participant(site, clinician)
    b = factories.enrolled_participant(site, clinician)
    c = factories.enrolled_participant(other_site, other_clinician)
    assert (a.participant_code, b.participant_code, c.participant_code) == ("BJ-001", "BJ-002", "OT-001")
    assert a.prior_therapy == "gc_mpaa" and a.enrolled_by == clinician and a.enrolled_at


def test_an_unconsented_person_cannot_be_enrolled(site, clinician):
    p = factories.screen(site, clinician)
    before = Participant.history.count()
    with pytest.raises(ValidationError, match="consented"):
        factories.enrol(p, clinician)
    p.refresh_from_db()
    assert p.status == "screening" and p.participant_code is None
    assert Participant.history.count() == before


def test_an_ineligible_person_cannot_be_enrolled(site, clinician):
    p = factories.screen(site, clinician)
    factories.consent(p, clinician)
    factories.assess(p, clinician, exc14=True)
    before = Participant.history.count()
    with pytest.raises(ValidationError, match="eligible"):
        factories.enrol(p, clinician)
    p.refresh_from_db()
    assert p.participant_code is None and Participant.history.count() == before


def test_enrolling_twice_is_refused(site, clinician):
    p = factories.enrolled_participant(site, clinician)
    with pytest.raises(ValidationError, match="already enrolled"):
        factories.enrol(p, clinician)
    assert Participant.objects.get().participant_code == "BJ-001"


def test_an_unknown_prior_therapy_is_refused(site, clinician):
    p = factories.screen(site, clinician)
    factories.consent(p, clinician)
    factories.assess(p, clinician)
    with pytest.raises(ValidationError):
        factories.enrol(p, clinician, prior_therapy="rituximab")
    assert Participant.objects.get().participant_code is None


def test_the_enrol_page_refuses_an_ineligible_person(site, clinician, client_for):
    p = factories.screen(site, clinician)
    r = client_for(clinician).post(reverse("enrol", args=[p.pk]), {"prior_therapy": "gc_cyc"})
    assert r.status_code == 200 and b"consented" in r.content
    p.refresh_from_db()
    assert p.status == "screening"


def test_declined_consent_is_a_screen_failure_for_consort(site, clinician):
    p = factories.screen(site, clinician)
    factories.screening_svc.record_screen_failure(p, user=clinician, reason_code="exc1", note="")
    p.refresh_from_db()
    assert p.status == "screen_failed" and p.screen_failure_reasons == ["exc1"]
    with pytest.raises(ValidationError):
        factories.consent(p, clinician)
