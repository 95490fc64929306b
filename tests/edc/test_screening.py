"""Screening log: bad input gets a clear message and writes nothing."""
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from edc.models import Participant
from tests import factories

pytestmark = pytest.mark.django_db


def counts():
    return Participant.objects.count(), Participant.history.count()


def test_it_adds_a_person_with_history_and_user(site, clinician):
    p = factories.screen(site, clinician, initials="lw")
    assert p.initials == "LW" and p.status == "screening" and p.participant_code is None
    row = p.history.get()
    assert row.history_user == clinician and row.history_type == "+"


@pytest.mark.parametrize("field, value, message", [
    ("date_of_birth", timezone.localdate() + timedelta(days=2), "cannot be in the future"),
    ("screening_date", timezone.localdate() + timedelta(days=2), "cannot be in the future"),
    ("initials", "Z1", "2 to 4 capital letters"),
    ("screening_number", "12 34", "letters, digits and hyphens"),
])
def test_it_refuses_bad_input_and_saves_nothing(site, clinician, field, value, message):
    before = counts()
    with pytest.raises(ValidationError) as error:
        factories.screen(site, clinician, **{field: value})
    assert message in str(error.value.message_dict[field])
    assert counts() == before


def test_it_refuses_a_birth_date_after_screening(site, clinician):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as error:
        factories.screen(site, clinician, screening_date=today - timedelta(days=5),
                         date_of_birth=today - timedelta(days=1))
    assert "before the screening date" in str(error.value)
    assert counts() == (0, 0)


def test_it_refuses_a_duplicate_screening_number_at_the_same_site(site, other_site, clinician):
    factories.screen(site, clinician, screening_number="S-001")
    before = counts()
    with pytest.raises(ValidationError, match="already used"):
        factories.screen(site, clinician, screening_number="S-001")
    assert counts() == before
    # the same number at another site is another person
    other = factories.make_user("clinician", other_site)
    factories.screen(other_site, other, screening_number="S-001")


def test_it_refuses_a_site_the_user_does_not_work_at(site, other_site, clinician):
    with pytest.raises(PermissionDenied):
        factories.screen(other_site, clinician)
    assert counts() == (0, 0)


def test_the_form_shows_the_error_and_saves_nothing(site, clinician, client_for):
    c = client_for(clinician)
    future = (timezone.localdate() + timedelta(days=1)).isoformat()
    r = c.post(reverse("screening_new"), {
        "site": site.pk, "screening_number": "001", "screening_date": timezone.localdate().isoformat(),
        "initials": "ZXM", "date_of_birth": future, "sex": "F"})
    assert r.status_code == 200
    assert b"cannot be in the future" in r.content
    assert counts() == (0, 0)


def test_the_form_saves_and_redirects_to_the_person(site, clinician, client_for):
    c = client_for(clinician)
    r = c.post(reverse("screening_new"), {
        "site": site.pk, "screening_number": "001", "screening_date": timezone.localdate().isoformat(),
        "initials": "ZXM", "date_of_birth": "1990-01-02", "sex": "F"})
    p = Participant.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("participant_detail", args=[p.pk])


def test_an_edit_needs_a_reason_and_records_it(site, clinician):
    p = factories.screen(site, clinician, initials="AB")
    with pytest.raises(ValidationError, match="reason"):
        factories.screening_svc.update_screening(p, user=clinician, reason="  ", initials="CD")
    p.refresh_from_db()
    assert p.initials == "AB" and p.history.count() == 1
    changed = factories.screening_svc.update_screening(p, user=clinician, reason="typo on log",
                                                       initials="CD")
    assert changed == ["initials"]
    latest = p.history.first()
    assert latest.history_change_reason == "typo on log" and latest.initials == "CD"


def test_an_edit_form_without_reason_shows_the_error(site, clinician, client_for):
    p = factories.screen(site, clinician, initials="AB")
    r = client_for(clinician).post(reverse("screening_edit", args=[p.pk]), {
        "screening_number": p.screening_number, "screening_date": p.screening_date.isoformat(),
        "initials": "CD", "date_of_birth": p.date_of_birth.isoformat(), "sex": "F",
        "reason_for_change": ""})
    assert r.status_code == 200 and b"This field is required" in r.content
    p.refresh_from_db()
    assert p.initials == "AB" and p.history.count() == 1


def test_clinical_records_are_never_deleted(site, clinician):
    p = factories.screen(site, clinician)
    with pytest.raises(PermissionDenied):
        p.delete()
    with pytest.raises(PermissionDenied):
        Participant.objects.all().delete()
    with pytest.raises(PermissionDenied):
        Participant.objects.filter(pk=p.pk).update(initials="XX")
    assert Participant.objects.filter(pk=p.pk, initials=p.initials).exists()
