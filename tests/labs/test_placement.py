"""Placing results collected outside every visit window at a visit the reviewer chooses
(docs/LAB_IMPORT.md "Placing a result outside a visit window"): the visits offered (code, target,
window, days outside, the nearest proposed), the staging rules applied again at the chosen visit,
the audit of the placement through to the lab form's history, and every bad input refused with a
clear message and nothing changed. The example participants were randomized on 2025-03-03: month 2's
window closes on 2025-05-10 and month 3's opens on 2025-05-27, so 2025-05-20 is outside every window."""
import io
from datetime import date

import pytest
import time_machine
from django.core.management import CommandError, call_command

from crf.models import Lock, Scope, Visit
from crf.models.labs import LabPanel
from crf.schedule import BY_CODE, VisitDef
from crf.services.discontinuation import apply_discontinuation
from crf.services.locks import lock
from edc import roles
from labs.models import StagedResult, Status
from labs.services.accept import accept
from tests import factories
from tests.labs.helpers import LATER, data_manager, example_trial, stage

pytestmark = pytest.mark.django_db
HEADER = "patient_id,sample_collected_at,test_code,test_name,result,unit,reference_range,abnormal_flag,report_id,status"
OUTSIDE = "2025-05-20 07:55"
PANEL = (f"ZY2025000123,{OUTSIDE},UPCR,UPCR,120,mg/mmol,,,R20,final",
         f"ZY2025000123,{OUTSIDE},CREA,Creatinine,84,umol/L,,,R20,final",
         f"ZY2025000123,{OUTSIDE},ALB,Albumin,30,g/L,,,R20,final")
REASON = "Visit 3 brought forward: the participant travelled; sampled at the site"


def csv(*lines: str) -> bytes:
    return ("\n".join((HEADER, *lines)) + "\n").encode()


@pytest.fixture
def trial(site, clinician):
    p1, p2 = example_trial(site, clinician)
    return {"p1": p1, "p2": p2, "dm": data_manager(site), "site": site, "clinician": clinician}


def staged(data, user, name="b.csv"):
    summary = stage(data, user, filename=name)
    return summary["batch"], list(StagedResult.objects.filter(batch_id=summary["batch"]).order_by("position"))


def visit(p, code):
    return Visit.objects.get(participant=p, code=code)


def post_place(client, batch, row, target, reason=REASON, scope="panel"):
    return client.post(f"/labs/batches/{batch}/place/",
                       {scope: row.pk, "visit": getattr(target, "pk", target), "reason": reason})


def snapshot(batch):
    return list(StagedResult.objects.filter(batch_id=batch).order_by("id").values())


def test_the_page_offers_the_lab_visits_with_window_and_distance_and_proposes_the_nearest(trial, client_for):
    batch, rows = staged(csv(*PANEL), trial["dm"])
    assert {r.status for r in rows} == {Status.OUTSIDE_WINDOW}
    html = client_for(trial["dm"]).get(f"/labs/batches/{batch}/").content.decode()
    assert f'id="place-{rows[0].pk}"' in html and "Place all 3 results collected at this time" in html
    m3 = visit(trial["p1"], "m3")
    assert f'<option value="{m3.pk}" data-code="m3" selected>' in html
    assert "target 2025-06-03 · window 2025-05-27 – 2025-06-10 · 7 days before the window opens · nearest" in html
    assert "10 days after the window closes" in html  # month 2
    assert html.count("<option ") == len([v for v in BY_CODE.values()])  # every visit carries the lab form


def test_a_placed_panel_is_restaged_accepted_and_the_form_history_names_the_placement(trial, client_for):
    batch, rows = staged(csv(*PANEL), trial["dm"])
    client = client_for(trial["dm"])
    m3 = visit(trial["p1"], "m3")
    response = post_place(client, batch, rows[1], m3)
    assert response.status_code == 302 and response["Location"] == f"/labs/batches/{batch}/"
    placed = list(StagedResult.objects.filter(batch_id=batch).order_by("position"))
    assert [(r.status, r.visit_id, r.placed_by_id, r.placed_reason) for r in placed] == [
        (Status.READY, m3.pk, trial["dm"].pk, REASON)] * 3
    page = client.get(f"/labs/batches/{batch}/").content.decode()
    assert f"Placed at visit m3 by {trial['dm'].username} on " in page and f": {REASON}</span>" in page
    assert "3 results placed at visit m3: Ready 3." in page
    assert f'value="panel:{m3.pk}"' in page  # now accepted like any panel
    client.post(f"/labs/batches/{batch}/", {"action": f"panel:{m3.pk}", "reason": "LIS results"})
    panel = LabPanel.objects.get(visit=m3)
    assert str(panel.sample_date) == "2025-05-20" and panel.creatinine_value == 84
    why = panel.history.first().history_change_reason
    assert why.startswith(f"LIS results; placed at visit m3 by {trial['dm'].username}: {REASON} [lab import #{batch}")
    trail = client_for(trial["clinician"]).get(f"/crf/labs/{panel.pk}/audit/").content.decode()
    assert f"placed at visit m3 by {trial['dm'].username}: {REASON}" in trail
    # the form's own rule still speaks: a sample date outside the window becomes a query to the site
    assert any(w["code"] == "outside_window" for w in panel.soft_warnings)


def test_one_result_of_a_panel_alone(trial, client_for):
    batch, rows = staged(csv(*PANEL), trial["dm"])
    m2 = visit(trial["p1"], "m2")
    post_place(client_for(trial["dm"]), batch, rows[2], m2, scope="row")
    statuses = dict(StagedResult.objects.filter(batch_id=batch).values_list("position", "status"))
    assert statuses == {1: Status.OUTSIDE_WINDOW, 2: Status.OUTSIDE_WINDOW, 3: Status.READY}


def test_placement_meets_the_staging_rules_at_the_chosen_visit(trial, client_for):
    dm, m3 = trial["dm"], visit(trial["p1"], "m3")
    first, _ = staged(csv("ZY2025000123,2025-06-01 07:00,UPCR,UPCR,100,mg/mmol,,,R1,final",
                          "ZY2025000123,2025-06-01 07:00,CREA,Creatinine,84,umol/L,,,R1,final"), dm, "first.csv")
    with time_machine.travel(LATER, tick=False):
        assert accept(StagedResult.objects.get(batch_id=first, position=1).batch, user=dm, reason="LIS",
                      all_ready=True)["accepted"] == 2
    batch, rows = staged(csv(f"ZY2025000123,{OUTSIDE},CREA,Creatinine,84,umol/L,,,R20,final",
                             f"ZY2025000123,{OUTSIDE},UPCR,UPCR,120,mg/mmol,,,R20,final",
                             f"ZY2025000123,{OUTSIDE},C3,C3,0.5,g/L,,,R20,final",
                             f"ZY2025000123,{OUTSIDE},ALB,Albumin,31,g/L,,,R20,corrected",
                             "ZY2025000123,2025-06-02 07:00,C4,C4,0.2,g/L,,,R3,final",
                             f"ZY2025000123,{OUTSIDE},C4,C4,0.3,g/L,,,R20,final"), dm)
    assert [r.status for r in rows] == [Status.OUTSIDE_WINDOW] * 4 + [Status.READY, Status.OUTSIDE_WINDOW]
    post_place(client_for(dm), batch, rows[0], m3)
    got = {r.test_code: (r.status, r.explanation) for r in StagedResult.objects.filter(batch_id=batch, visit=m3)
           if r.position != 5}
    assert got == {"CREA": (Status.DUPLICATE, "the form already holds this value"),
                   "UPCR": (Status.CONFLICT, "the form holds 100.000"),
                   "C3": (Status.READY, ""),
                   "ALB": (Status.INVALID, "a correction for a result never imported"),
                   "C4": (Status.CONFLICT, "another result in this batch gives 0.200")}


def test_a_result_left_outside_a_window_is_not_already_imported(trial):
    staged(csv(f"ZY2025000123,{OUTSIDE},CREA,Creatinine,84,umol/L,,,R9,final"), trial["dm"], "a.csv")
    _, rows = staged(csv("ZY2025000123,2025-06-01 07:55,CREA,Creatinine,84,umol/L,,,R9,final"), trial["dm"], "b.csv")
    assert [r.status for r in rows] == [Status.READY]


# --- bad input: a clear message, nothing changed ----------------------------------------------------

def refused(client, batch, row, target, words, **kwargs):
    before = snapshot(batch)
    response = post_place(client, batch, row, target, **kwargs)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Not placed:" in page and words in page, page[page.find("msg"):][:400]
    assert snapshot(batch) == before


def test_a_visit_of_another_participant(trial, client_for):
    batch, rows = staged(csv(*PANEL), trial["dm"])
    refused(client_for(trial["dm"]), batch, rows[0], visit(trial["p2"], "m3"), "this participant&#x27;s visits")


def test_a_visit_of_another_site(trial, client_for, other_site, other_clinician):
    with time_machine.travel(LATER, tick=False):
        elsewhere = factories.randomized_participant(other_site, other_clinician)
    batch, rows = staged(csv(*PANEL), trial["dm"])
    refused(client_for(trial["dm"]), batch, rows[0], visit(elsewhere, "m0"), "this participant&#x27;s visits")


def test_a_visit_without_the_lab_form(trial, client_for, monkeypatch):
    m3 = BY_CODE["m3"]
    monkeypatch.setitem(BY_CODE, "m3", VisitDef("m3", 3, 7, 7, tuple(c for c in m3.crfs if c != "labs")))
    batch, rows = staged(csv(*PANEL), trial["dm"])
    client = client_for(trial["dm"])
    assert f'value="{visit(trial["p1"], "m3").pk}"' not in client.get(f"/labs/batches/{batch}/").content.decode()
    refused(client, batch, rows[0], visit(trial["p1"], "m3"), "Visit m3 has no lab form")


def test_a_visit_that_no_longer_applies(trial, client_for):
    apply_discontinuation(trial["p1"], date(2025, 5, 21), trial["clinician"], reason="Withdrew consent")
    m3 = visit(trial["p1"], "m3")
    assert m3.not_applicable
    batch, rows = staged(csv(*PANEL), trial["dm"])
    refused(client_for(trial["dm"]), batch, rows[0], m3, "Visit m3 has no lab form")


def test_a_locked_lab_form(trial, client_for):
    dm, m3 = trial["dm"], visit(trial["p1"], "m3")
    first, _ = staged(csv("ZY2025000123,2025-06-01 07:00,UPCR,UPCR,100,mg/mmol,,,R1,final",
                          "ZY2025000123,2025-06-01 07:00,CREA,Creatinine,84,umol/L,,,R1,final"), dm, "first.csv")
    with time_machine.travel(LATER, tick=False):
        accept(StagedResult.objects.get(batch_id=first, position=1).batch, user=dm, reason="LIS", all_ready=True)
    panel = LabPanel.objects.get(visit=m3)
    # the form lock itself (crf.services.locks.lock wants the form signed off first; its guard is what matters here)
    Lock.objects.create(scope=Scope.CRF, participant=trial["p1"], crf_key="labs", object_id=panel.pk,
                        locked_by=dm, locked_at=panel.created_at, reason="reviewed")
    batch, rows = staged(csv(*PANEL), dm)
    client = client_for(dm)
    assert "lab form locked</option>" in client.get(f"/labs/batches/{batch}/").content.decode()
    refused(client, batch, rows[0], m3, "The lab form of m3 is locked")


def test_a_locked_database(trial, client_for):
    batch, rows = staged(csv(*PANEL), trial["dm"])
    with time_machine.travel(LATER, tick=False):
        lock(scope="database", user=trial["dm"], reason="Database reviewed")
    refused(client_for(trial["dm"]), batch, rows[0], visit(trial["p1"], "m3"), "The lab form of m3 is locked")


@pytest.mark.parametrize("reason", ["", "   "])
def test_an_empty_reason(trial, client_for, reason):
    batch, rows = staged(csv(*PANEL), trial["dm"])
    refused(client_for(trial["dm"]), batch, rows[0], visit(trial["p1"], "m3"), "Give the reason", reason=reason)


def test_a_result_that_is_not_outside_a_window(trial, client_for):
    batch, rows = staged(csv("ZY2025000123,2025-06-01 07:00,CREA,Creatinine,84,umol/L,,,R1,final"), trial["dm"])
    refused(client_for(trial["dm"]), batch, rows[0], visit(trial["p1"], "m2"), "this one is “Ready”")


def test_a_result_of_another_batch(trial, client_for):
    batch, _ = staged(csv(*PANEL), trial["dm"])
    other, rows = staged(csv(f"ZY2025000456,{OUTSIDE},CREA,Creatinine,84,umol/L,,,R7,final"), trial["dm"], "o.csv")
    before = snapshot(other)
    refused(client_for(trial["dm"]), batch, rows[0], visit(trial["p2"], "m3"), "no such result in this batch")
    assert snapshot(other) == before


def test_a_crafted_post_without_the_permission_or_from_another_site(trial, client_for, other_site):
    batch, rows = staged(csv(*PANEL), trial["dm"])
    before, m3 = snapshot(batch), visit(trial["p1"], "m3")
    for role in (roles.CLINICIAN, roles.COORDINATOR, roles.MONITOR, roles.PRINCIPAL_INVESTIGATOR):
        assert post_place(client_for(factories.make_user(role, trial["site"])), batch, rows[0], m3).status_code == 403
    assert post_place(client_for(data_manager(other_site)), batch, rows[0], m3).status_code == 404
    # a data manager of both sites staged it: the other site's data manager sees the batch, not the row
    both = data_manager(trial["site"], other_site)
    batch2, rows2 = staged(csv(f"ZY2025000456,{OUTSIDE},CREA,Creatinine,84,umol/L,,,R8,final"), both, "both.csv")
    assert post_place(client_for(data_manager(other_site)), batch2, rows2[0],
                      visit(trial["p2"], "m3")).status_code == 404
    assert snapshot(batch) == before and StagedResult.objects.get(pk=rows2[0].pk).status == Status.OUTSIDE_WINDOW


# --- command line -----------------------------------------------------------------------------------

def test_the_command_places_a_panel(trial):
    batch, rows = staged(csv(*PANEL), trial["dm"])
    out = io.StringIO()
    with time_machine.travel(LATER, tick=False):
        call_command("import_labs", "--place", str(rows[0].pk), "--visit", "m3", "--panel", "--as",
                     trial["dm"].username, "--reason", REASON, stdout=out)
    assert '"status": "ready"' in out.getvalue()
    assert set(StagedResult.objects.filter(batch_id=batch).values_list("status", flat=True)) == {Status.READY}
    with pytest.raises(CommandError, match="this one is"):
        call_command("import_labs", "--place", str(rows[0].pk), "--visit", "m3", "--as", trial["dm"].username,
                     "--reason", REASON)


def test_the_command_refuses_a_visit_code_and_another_sites_user(trial, other_site):
    batch, rows = staged(csv(*PANEL), trial["dm"])
    before = snapshot(batch)
    with pytest.raises(CommandError, match="this participant's visits"):
        call_command("import_labs", "--place", str(rows[0].pk), "--visit", "m99", "--as", trial["dm"].username,
                     "--reason", REASON)
    with pytest.raises(CommandError, match="No staged result"):
        call_command("import_labs", "--place", str(rows[0].pk), "--visit", "m3", "--as",
                     data_manager(other_site).username, "--reason", REASON)
    assert snapshot(batch) == before
