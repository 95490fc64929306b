"""Analysis-set membership on crafted participants (protocol 2.13.1)."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from exports.analysis_sets import analysis_sets
from tests import factories
from tests.exports.helpers import crafted

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(site, clinician):
    factories.strata_and_list()
    return {
        "full": crafted(site, clinician),
        "no_infusion": crafted(site, clinician, infused=False),
        "no_post_baseline_upcr": crafted(site, clinician, post_baseline_upcr=False),
        "major_deviation": crafted(site, clinician, major_deviation=True),
    }


def test_membership(people):
    sets = analysis_sets(p.pk for p in people.values())
    flags = {name: (sets[p.pk].safety, sets[p.pk].fas, sets[p.pk].pps) for name, p in people.items()}
    assert flags == {
        "full": (True, True, True),
        "no_infusion": (False, False, False),            # Safety needs >= 1 infusion
        "no_post_baseline_upcr": (True, False, False),   # FAS needs a post-baseline UPCR
        "major_deviation": (True, True, False),          # PPS excludes major deviations
    }


def test_three_queries_whatever_the_number(people):
    with CaptureQueriesContext(connection) as ctx:
        analysis_sets(p.pk for p in people.values())
    assert len(ctx) == 3
