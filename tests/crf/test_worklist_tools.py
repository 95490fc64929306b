"""Coordinator and tablet tools: "due" is the next 7 days, the worklist pages, sorts, exports to CSV
and prints; a form prints; a prepared bag's page shows the bag; exclusions in protocol order; labels."""
import csv
import io
import re
from datetime import date

import pytest
import time_machine
from django.urls import reverse

from crf.views import worklist as worklist_views
from randomization.models import BagPreparation
from tests import factories
from tests.crf import helpers as h
from tests.fuzz.db import table_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def p(site, clinician):
    factories.strata_and_list()
    with time_machine.travel(date(2025, 1, 15), tick=False):  # m2 target 2025-03-15, a Saturday
        return factories.randomized_participant(site, clinician)


def lists(response) -> dict:
    return {key: [v.code for v in page] for key, _title, page in response.context["tables"]}


@pytest.mark.parametrize(("today", "due"), [
    (date(2025, 3, 7), []),  # 8 days before the target: not yet
    (date(2025, 3, 8), ["m2"]),  # 7 days before
    (date(2025, 3, 9), ["m2"]),  # a Sunday: the calendar week would end today and miss it
])
def test_due_means_the_target_within_the_next_7_days(p, clinician, client_for, today, due):
    with time_machine.travel(today, tick=False):
        r = client_for(clinician).get(reverse("worklist"))
        home = client_for(clinician).get("/").content.decode()
    assert lists(r)["due"] == due
    assert f'data-figure="due">{len(due)}<' in home


def test_the_worklist_pages_and_sorts_each_list(p, clinician, client_for, monkeypatch):
    monkeypatch.setattr(worklist_views, "PAGE_SIZE", 1)
    c = client_for(clinician)
    with time_machine.travel(date(2025, 3, 14), tick=False):
        first = c.get(reverse("worklist"))
        second = c.get(reverse("worklist"), {"overdue_page": "2"})
        newest = c.get(reverse("worklist"), {"sort": "-target"})
        junk = c.get(reverse("worklist"), {"sort": "'; drop", "overdue_page": "x"})
    assert lists(first)["overdue"] == ["m0"] and lists(second)["overdue"] == ["m1"]
    assert 'data-pager="overdue"' in first.content.decode() and "overdue_page=2" in first.content.decode()
    assert lists(newest)["overdue"] == ["m1"]
    assert junk.status_code == 200 and lists(junk)["overdue"] == ["m0"]
    assert site_name_shown(first.content.decode(), p)


def site_name_shown(page: str, p) -> bool:
    return p.site.name in page and f">{p.site.code}<" not in page


def test_the_worklist_exports_to_csv_and_prints(p, clinician, client_for):
    c = client_for(clinician)
    with time_machine.travel(date(2025, 3, 14), tick=False):
        r = c.get(reverse("worklist_csv"))
        printed = c.get(reverse("worklist_print"))
    assert r["Content-Type"].startswith("text/csv") and "worklist-2025-03-14.csv" in r["Content-Disposition"]
    text = r.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["list", "participant", "visit"]
    assert [(row[0], row[2]) for row in rows[1:]] == [("due", "m2"), ("overdue", "m0"), ("overdue", "m1")]
    assert {row[6] for row in rows[1:]} == {p.site.name}
    page = printed.content.decode()
    assert printed.status_code == 200 and page.count('data-section="') == 3 and "edc/print.js" in page
    assert "<script>" not in page and "data-print" in page


def test_one_form_prints_with_its_values(site, clinician, client_for, other_clinician):
    p = h.participant(site, clinician)
    m0 = h.visit(p, "m0")
    h.save("labs", m0, clinician, **h.lab_values(m0))
    c = client_for(clinician)
    r = c.get(reverse("crf_print", args=[m0.pk, "labs"]))
    page = r.content.decode()
    assert r.status_code == 200 and 'id="form-values"' in page and "80.00" in page and "eGFR" in page
    assert 'data-form-status="complete"' in page and "edc/print.js" in page
    assert c.get(reverse("visit_crf", args=[m0.pk, "labs"])).content.decode().count(
        reverse("crf_print", args=[m0.pk, "labs"])) == 1
    assert c.get(reverse("crf_print", args=[m0.pk, "vitals"])).status_code == 404  # not saved yet
    assert c.get(reverse("crf_print", args=[m0.pk, "prednisone"])).status_code == 404  # a log
    assert c.get(reverse("crf_print", args=[m0.pk, "nope"])).status_code == 404
    assert client_for(other_clinician).get(reverse("crf_print", args=[m0.pk, "labs"])).status_code == 404


def test_a_prepared_bags_page_shows_the_bag_and_changes_nothing(site, clinician, client_for):
    p = h.participant(site, clinician)
    bag = factories.prepared_bag(p, "m0")
    pharmacist = factories.make_user("pharmacist", site)
    c = client_for(pharmacist)
    page = c.get(reverse("bag_prepare", args=[p.pk, "m0"])).content.decode()
    assert 'id="prepared-bag"' in page and bag.product_lot in page and "<form method=\"post\" class=\"edc" not in page
    assert reverse("bag_label", args=[p.pk, "m0"]) in page
    before = table_counts()
    r = c.post(reverse("bag_prepare", args=[p.pk, "m0"]), {"body_weight_kg": "70", "product_lot": "X"}, follow=True)
    assert "already prepared; nothing was changed" in r.content.decode()
    assert table_counts() == before and BagPreparation.objects.get().product_lot == bag.product_lot
    assert 'id="prepared-bag"' not in c.get(reverse("bag_prepare", args=[p.pk, "m6"])).content.decode()


def test_exclusions_are_in_protocol_order(site, clinician, client_for):
    p = factories.screen(site, clinician)
    factories.consent(p, clinician)
    page = client_for(clinician).get(reverse("eligibility", args=[p.pk])).content.decode()
    assert [int(n) for n in re.findall(r'data-exclusion="(\d+)"', page)] == list(range(2, 15))


@pytest.mark.parametrize(("number", "label"), [("0007", "S-0007"), ("S-001", "S-001"), ("s-12", "s-12"),
                                               ("SX1", "S-SX1")])
def test_a_screening_label_never_doubles_the_prefix(site, clinician, number, label):
    assert factories.screen(site, clinician, screening_number=number).label == label


def test_the_navigation_collapses_without_script(site, clinician, client_for):
    page = client_for(clinician).get("/").content.decode()
    assert '<input type="checkbox" id="nav-toggle" class="nav-toggle">' in page
    assert 'for="nav-toggle"' in page and 'id="main-nav"' in page
