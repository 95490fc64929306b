"""The living demo trial (load_demo_trial; crf/demo.py, safety/demo.py): a trial in progress made
through the real services, every lifecycle stage, inside the 4 x 24 design, marked as demo data, kept
by a second run; and synthetic data beside it refuses to push a stratum past its capacity."""
from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count
from django.utils import timezone

from crf import registry
from crf.lifecycle import CHOICES, annotate_lifecycle
from crf.models import Lock, Query, Signature, Visit
from crf.selectors import due_horizon, with_status
from crf.services.review import review_context, status_of
from edc.models import Participant
from randomization.models import BagPreparation, Randomization, Stratum
from safety.models import SaeCase, SaeObligation
from tests.fuzz.db import table_counts as row_counts

pytestmark = pytest.mark.django_db(transaction=False)


def test_the_demo_trial(client, settings):
    """One load (it replays months of a trial through the services), then each property below."""
    settings.DEBUG = True  # load_demo_trial refuses otherwise (published passwords and TOTP secret)
    out = StringIO()
    call_command("load_demo_trial", "--no-logins", stdout=out)
    demo = out.getvalue()
    _the_demo_opens_on_a_trial_in_progress(demo)
    _forms_at_every_status_open_queries_an_open_sae_and_a_prepared_bag(demo)
    _a_lab_export_waits_for_review(demo)
    _the_pages_say_it_is_demo_data(demo, client, settings)
    _a_second_run_keeps_the_data_and_adds_nothing(demo)
    _synthetic_data_beside_the_demo_refuses_to_break_the_design(demo)


def _the_demo_opens_on_a_trial_in_progress(demo):
    assert "Demo trial in progress: 10 people" in demo
    people = annotate_lifecycle(Participant.objects.all())
    assert all(p.screening_number.startswith("DEMO-") for p in people)
    stages = Counter(p.lifecycle for p in people)
    assert stages == {"in_screening": 1, "screen_failure": 2, "enrolled": 1, "randomized": 1, "on_treatment": 2,
                      "in_follow_up": 1, "treatment_discontinued": 1, "died": 1}
    assert set(stages) | {"completed", "withdrawn", "lost_to_follow_up"} == {v for v, _ in CHOICES}
    # inside the design: at most 24 per stratum, the allocation list's rows used in order
    per_stratum = dict(Randomization.objects.values_list("row__stratum__code").annotate(n=Count("id")))
    assert sum(per_stratum.values()) == 6 and max(per_stratum.values()) <= min(
        Stratum.objects.values_list("capacity", flat=True))
    today = timezone.localdate()
    visits = Counter(v.status for v in with_status(Visit.objects.all(), today))
    assert visits["overdue"] >= 1 and visits["missed"] == 1 and visits["done"] >= 20
    assert Visit.objects.filter(visit_date__isnull=True, missed_reason="", not_applicable=False,
                                target_date__range=(today, due_horizon(today))).exists()


def _forms_at_every_status_open_queries_an_open_sae_and_a_prepared_bag(demo):
    statuses = Counter()
    for p in Participant.objects.filter(randomization__isnull=False):
        signed, locked, all_locked = review_context(p)
        for t in registry.ordered():
            if t.log:
                continue
            for obj in t.model.objects.filter(participant=p):
                statuses[status_of(obj, signed_ids=signed, locked=all_locked or obj.pk in locked)] += 1
    assert {"in_progress", "complete", "verified", "signed", "locked"} <= set(statuses), statuses
    assert Signature.objects.exists() and Lock.objects.filter(unlocked_at__isnull=True).exists()
    assert Query.objects.filter(status=Query.Status.OPEN).count() == 2
    open_case = SaeCase.objects.get(participant__screening_number="DEMO-07")
    running = SaeObligation.objects.filter(case=open_case, met_at__isnull=True)
    assert running.count() == 4 and all(ob.due_at > timezone.now() for ob in running)  # clocks running
    assert not SaeObligation.objects.filter(case__participant__screening_number="DEMO-10", met_at=None).exists()
    # a bag prepared today for a participant not yet infused: the pharmacy worklist's row
    bag = BagPreparation.objects.get(participant__screening_number="DEMO-05")
    assert bag.prepared_by != bag.checked_by and timezone.now() - bag.prepared_at < timedelta(days=1)


def _a_lab_export_waits_for_review(demo):
    """labs/demo.py: the week's LIS export (Chinese headers, GBK) staged, every kind of row a reviewer meets."""
    from labs.models import ImportBatch, StagedResult

    batch = ImportBatch.objects.get()
    assert batch.encoding.lower() in ("gbk", "gb18030") and f"batch #{batch.pk}" in demo
    by_status = Counter(StagedResult.objects.filter(batch=batch).values_list("status", flat=True))
    assert by_status == {"ready": 5, "unmapped": 1, "unmatched": 1, "outside_window": 2, "duplicate": 1,
                         "conflict": 1, "invalid": 1}, by_status
    # "<10" for anti-dsDNA: kept as reported and explained (the form holds exact numbers only)
    assert StagedResult.objects.get(batch=batch, status="invalid").reported_value == "<10"
    ready = StagedResult.objects.filter(batch=batch, status="ready")
    assert {r.visit.code for r in ready} == {"m2"} and {r.participant.screening_number for r in ready} == {"DEMO-06"}
    conflict = StagedResult.objects.get(batch=batch, status="conflict")
    assert (conflict.field, conflict.visit.code, conflict.value) == ("albumin_g_l", "m1", 30)
    # the tour: accept the ready results; place DEMO-07's panel at the overdue month 3, then accept it
    from crf.models import LabPanel
    from edc.models import User
    from labs.services.accept import accept
    from labs.services.placement import place

    manager = User.objects.get(username="datamanager")
    done = accept(batch, user=manager, reason="Checked against the LIS reports", all_ready=True)
    assert LabPanel.objects.filter(visit=ready[0].visit).count() == 1, done
    outside = StagedResult.objects.filter(batch=batch, status="outside_window").first()
    m3 = outside.participant.visits.get(code="m3")
    placed = place(batch, user=manager, row_id=outside.pk, visit_id=m3.pk, whole_panel=True,
                   reason="Month-3 bloods drawn late; the visit itself is still to come")
    assert {r.status for r in placed} == {"ready"} and len(placed) == 2
    accept(batch, user=manager, reason="Placed at month 3", row_ids=[r.pk for r in placed])
    assert LabPanel.objects.get(visit=m3).creatinine_value == 86


def _a_second_run_keeps_the_data_and_adds_nothing(demo):
    before = row_counts()
    out = StringIO()
    call_command("load_demo_trial", stdout=out)
    assert row_counts() == before
    text = out.getvalue()
    assert "Demo trial in progress" not in text and text.rstrip().splitlines()[-1].startswith("  (time-based")


def _the_pages_say_it_is_demo_data(demo, client, settings):
    settings.DEBUG = True
    page = client.get("/login/").content.decode()
    assert "data-demo-banner" in page and "made up for demonstration" in page
    settings.DEBUG = False
    from django.core.cache import cache
    cache.clear()
    assert "data-demo-banner" not in client.get("/login/").content.decode()
    settings.DEBUG = True  # the next step runs load_demo_trial again


def _synthetic_data_beside_the_demo_refuses_to_break_the_design(demo):
    before = row_counts()
    with pytest.raises(CommandError, match="past its capacity"):
        call_command("synthesize_trial", "--participants", "96", "--seed", "3", "--force", stdout=StringIO())
    assert row_counts() == before  # nothing written
    call_command("synthesize_trial", "--participants", "8", "--seed", "3", "--force", stdout=StringIO())
    per_stratum = dict(Randomization.objects.values_list("row__stratum__code").annotate(n=Count("id")))
    assert sum(per_stratum.values()) == 14 and max(per_stratum.values()) <= 24
