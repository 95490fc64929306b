"""LIS-imported laboratory values in the SDV plan, end to end through the real import path (stage a
CSV, accept it, the site completes the form): with the plan's setting on, a month-6 panel whose values
are all still as imported counts as verified against source and leaves the worklist; with it off it
does not; once a clinician types over a value it is back on the worklist
(docs/CENTRAL_MONITORING.md "Laboratory values from the LIS")."""
from datetime import datetime
from decimal import Decimal

import pytest
import time_machine

from crf import registry
from crf.models import CrfStatus
from crf.models.labs import LabPanel
from crf.services.entry import save_crf
from edc import roles
from monitoring import services
from monitoring.selectors import sdv
from monitoring.selectors.scope import scope_for
from tests import factories
from tests.labs.helpers import data_manager, example_trial, lab_csv, stage_and_accept

pytestmark = pytest.mark.django_db
# randomized 2025-03-03: month 6 is 2025-09-03 ± 14 days
SAMPLED = "2025-09-02 08:00"
AFTER = datetime(2025, 9, 10, 10, 0, tzinfo=factories.SHANGHAI)


def clinician_saves(panel: LabPanel, user, **values) -> None:
    for name, value in values.items():
        setattr(panel, name, value)
    save_crf(registry.get("labs"), panel, visit=panel.visit, user=user, reason="Site review", acknowledge=True)


def labs_coverage(monitor):
    scope, _sites = scope_for(monitor)
    plan = sdv.current_plan()
    cov = next(c for c in sdv.coverage(scope, plan) if c.site_id is None and c.form_key == "labs")
    items, _total = sdv.worklist(scope, plan)
    return cov, {it["object_id"] for it in items}


def test_an_imported_month6_panel_counts_as_verified_only_when_the_plan_says_so(site, clinician):
    sdv.current_plan()
    p1, _p2 = example_trial(site, clinician)
    dm, monitor = data_manager(site), factories.make_user(roles.MONITOR, site)
    stage_and_accept(lab_csv("ZY2025000123", SAMPLED, "R20250902-0042",
                             [("UPCR", "56.5", "mg/mmol"), ("CREA", "79", "umol/L"), ("ALB", "36.2", "g/L"),
                              ("CAST", "阴性", "")]), dm, at=AFTER)
    panel = LabPanel.objects.get(participant=p1, visit__code="m6")
    assert panel.status == CrfStatus.IN_PROGRESS  # an imported panel is for the site to complete
    with time_machine.travel(AFTER, tick=False):
        clinician_saves(panel, clinician, status=CrfStatus.COMPLETE)  # completing changes no value

        cov, worklist = labs_coverage(monitor)
        assert (cov.critical, cov.planned, cov.verified) == (1, 1, 0)  # month-6 labs: critical data
        assert panel.pk in worklist

        services.change_plan(sdv.current_plan(), user=monitor, reason="LIS values are the source (protocol 2.11)",
                             lis_counts_as_verified=True)
        cov, worklist = labs_coverage(monitor)
        assert (cov.planned, cov.verified, cov.critical_verified) == (1, 1, 1)
        assert panel.pk not in worklist

        clinician_saves(panel, clinician, creatinine_value=Decimal("80"))  # typed over the LIS value
        cov, worklist = labs_coverage(monitor)
        assert (cov.planned, cov.verified) == (1, 0)
        assert panel.pk in worklist

        services.change_plan(sdv.current_plan(), user=monitor, reason="Back to verification on site",
                             lis_counts_as_verified=False)
        clinician_saves(panel, clinician, creatinine_value=Decimal("79"))  # as imported again
        cov, worklist = labs_coverage(monitor)
        assert cov.verified == 0 and panel.pk in worklist  # the plan does not say so
