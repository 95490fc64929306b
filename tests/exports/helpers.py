"""Crafted participants for the analysis-set and export tests, made through the real services."""
from datetime import timedelta

import time_machine
from django.utils import timezone

from crf import registry
from crf.services.entry import save_crf
from tests import factories
from tests.crf import helpers as h

YEAR_AGO = timezone.now() - timedelta(days=400)


def crafted(site, clinician, *, infused=True, post_baseline_upcr=True, major_deviation=False,
            prior_therapy="gc_mpaa", m0_upcr=None):
    """A participant randomized ~13 months ago; optionally infused at month 0, with a post-baseline
    UPCR at month 3 and a major protocol deviation."""
    with time_machine.travel(YEAR_AGO, tick=False):
        p = factories.randomized_participant(site, clinician, prior_therapy=prior_therapy)
        factories.prepared_bag(p, "m0")
    m0 = h.visit(p, "m0")
    h.save("labs", m0, clinician, acknowledge=True,
           **h.lab_values(m0, **({"upcr_value": m0_upcr} if m0_upcr is not None else {})))
    if infused:
        start = (YEAR_AGO + timedelta(hours=1)).replace(second=0, microsecond=0)
        with time_machine.travel(YEAR_AGO + timedelta(hours=3), tick=False):
            h.save("infusion", m0, clinician, acknowledge=True, bag_blind_code=p.randomization.blind_code,
                   started_at=start, ended_at=start + timedelta(minutes=45), volume_ml=100,
                   infusion_reaction=False, reaction_description="")
    if post_baseline_upcr:
        m3 = h.visit(p, "m3")
        h.save("labs", m3, clinician, acknowledge=True, **h.lab_values(m3))
    if major_deviation:
        t = registry.get("deviation")
        row = t.model(participant=p, date=timezone.localdate(), severity="major", category="eligibility",
                      description="Enrolled with eGFR 44")
        save_crf(t, row, visit=None, user=clinician, acknowledge=True)
    return p
