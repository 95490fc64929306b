"""Randomize (protocol 2.7, docs/ARCHITECTURE.md rule 3): once, lowest unused row of the stratum."""
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from randomization.models import AllocationRow, Randomization
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def allocation(site):
    return factories.strata_and_list(seed=11)


def test_it_takes_the_lowest_unused_row_of_the_stratum_in_order(site, clinician, allocation):
    codes = []
    for _ in range(3):
        p = factories.randomized_participant(site, clinician, prior_therapy="gc_cyc")
        codes.append(p.randomization.row.sequence)
        assert p.randomization.row.stratum.prior_therapy == "gc_cyc"
    assert codes == [1, 2, 3]
    other = factories.randomized_participant(site, clinician, prior_therapy="gc_mpaa")
    assert other.randomization.row.sequence == 1


def test_it_records_who_when_and_month_0(site, clinician, allocation):
    p = factories.randomized_participant(site, clinician)
    r = p.randomization
    assert r.randomized_by == clinician and r.blind_code == r.row.blind_code
    assert r.month0_date is not None and r.row.used_at == r.randomized_at
    assert r.history.get().history_user == clinician


def test_randomizing_twice_is_refused_and_changes_nothing(site, clinician, allocation):
    from randomization.services.randomize import randomize
    p = factories.randomized_participant(site, clinician)
    with pytest.raises(ValidationError, match="already randomized"):
        randomize(p, user=clinician)
    assert Randomization.objects.count() == 1
    assert AllocationRow.objects.filter(used_at__isnull=False).count() == 1


def test_an_ineligible_or_unenrolled_person_cannot_be_randomized(site, clinician, allocation):
    from randomization.services.randomize import randomize
    p = factories.screen(site, clinician)
    factories.consent(p, clinician)
    factories.assess(p, clinician, exc9=True)
    with pytest.raises(ValidationError, match="enrolled"):
        randomize(p, user=clinician)
    assert Randomization.objects.count() == 0
    assert AllocationRow.objects.filter(used_at__isnull=False).count() == 0


def test_a_full_stratum_is_a_clear_error_that_changes_nothing(site, clinician):
    from randomization.services.randomize import randomize
    factories.strata_and_list(seed=3, capacity=2)
    factories.randomized_participant(site, clinician)
    factories.randomized_participant(site, clinician)
    p = factories.enrolled_participant(site, clinician)
    before = AllocationRow.history.count()
    with pytest.raises(ValidationError, match="no allocation rows left"):
        randomize(p, user=clinician)
    assert Randomization.objects.count() == 2 and AllocationRow.history.count() == before


def test_the_page_shows_the_blind_code(site, clinician, client_for, allocation):
    p = factories.enrolled_participant(site, clinician)
    c = client_for(clinician)
    r = c.post(reverse("randomize", args=[p.pk]), {"confirm": "on"}, follow=True)
    code = Randomization.objects.get().blind_code
    assert f"Blind code: {code}".encode() in r.content


def test_the_page_needs_the_confirmation_box(site, clinician, client_for, allocation):
    p = factories.enrolled_participant(site, clinician)
    r = client_for(clinician).post(reverse("randomize", args=[p.pk]), {})
    assert r.status_code == 200 and Randomization.objects.count() == 0


def test_strata_are_frozen_after_the_first_allocation(site, clinician, allocation):
    from randomization.models import Stratum
    from randomization.services.strata import update_stratum
    s = Stratum.objects.get(code="s1")
    update_stratum(s, user=clinician, reason="rename", name="GC + MMF", capacity=24)
    factories.randomized_participant(site, clinician)
    with pytest.raises(ValidationError, match="frozen"):
        update_stratum(s, user=clinician, reason="again", name="x", capacity=30)
    s.refresh_from_db()
    assert s.name == "GC + MMF" and s.capacity == 24
