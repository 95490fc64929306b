"""Queries as monitors expect them: fields by their label in the reader's language, the current
value and its history on the query, raising a query from the field on the form, query age and a
filter by age, and each role sees only the actions it may take (a crafted POST gets a message, not
a bare 403, and changes nothing)."""
import html
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from crf.models import Query
from crf.services import queries
from edc import roles
from tests import factories
from tests.crf import helpers as h
from tests.fuzz.db import NOT_DATA, table_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def monitor(site):
    return factories.make_user(roles.MONITOR, site)


@pytest.fixture
def labs(site, clinician):
    p = h.participant(site, clinician)
    v = h.visit(p, "m0")
    panel, _w = h.save("labs", v, clinician, acknowledge=True, **h.lab_values(v))
    return panel


def page(client, url, **headers) -> str:
    response = client.get(url, **headers)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_the_query_shows_the_field_label_its_current_value_and_history(labs, clinician, monitor, client_for):
    q = queries.raise_query(labs, crf_key="labs", user=monitor, field_name="albumin_g_l",
                            text="Albumin 38 or 28 in the source?")
    client_for(clinician).post(reverse("query_detail", args=[q.pk]),
                               {"action": "answer", "text": "28 per the lab report", "new_value": "28"})
    shown = page(client_for(monitor), reverse("query_detail", args=[q.pk]))
    assert "Serum albumin (g/L)" in shown and "albumin_g_l" not in shown.replace('data-field="albumin_g_l"', "")
    assert '<span data-current-value>28.0</span>' in shown
    history = shown[shown.index('id="field-history"'):]
    assert history.index("38.0") < history.index("28.0") and "Query answer: 28 per the lab report" in history
    listed = page(client_for(monitor), reverse("query_list") + "?status=all")
    assert "Serum albumin (g/L)" in listed and "Laboratory panel · Month 0" in listed
    chinese = page(client_for(monitor), reverse("query_detail", args=[q.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "当前值" in chinese and "实验室检查" in chinese


def test_a_query_is_raised_from_the_field_on_the_form(labs, monitor, client_for):
    form_url = f"/visits/{labs.visit_id}/crf/labs/"
    shown = page(client_for(monitor), form_url)
    assert 'href="?query_field=alt_u_l#raise-query"' in shown  # beside the value, read-only for a monitor
    preselected = page(client_for(monitor), form_url + "?query_field=alt_u_l")
    assert '<option value="alt_u_l" selected>' in preselected
    response = client_for(monitor).post(reverse("crf_raise_query", args=["labs", labs.pk]),
                                        {"field_name": "alt_u_l", "text": "ALT 20 or 28?"})
    assert response.status_code == 302 and response["Location"].endswith("#review")
    assert Query.objects.get().field_name == "alt_u_l"
    assert "open query" in page(client_for(monitor), form_url)  # flagged beside the field


def test_query_age_is_shown_and_filtered(labs, monitor, client_for):
    with time_machine.travel(timezone.now() - timedelta(days=20), tick=False):
        old = queries.raise_query(labs, crf_key="labs", user=monitor, field_name="c3_g_l", text="C3 unit?")
    new = queries.raise_query(labs, crf_key="labs", user=monitor, field_name="c4_g_l", text="C4 unit?")
    client = client_for(monitor)
    everything = page(client, reverse("query_list"))
    assert "C3 unit?" in everything and "C4 unit?" in everything and "<td data-age>20</td>" in everything
    older = page(client, reverse("query_list") + "?age=14")
    assert "C3 unit?" in older and "C4 unit?" not in older
    assert "C3 unit?" not in page(client, reverse("query_list") + "?age=30")
    assert "C4 unit?" in page(client, reverse("query_list") + "?age=banana")  # unknown: no age filter
    assert old.pk != new.pk


def test_site_roles_never_see_reviewer_actions_and_a_crafted_close_changes_nothing(labs, clinician, monitor,
                                                                                   client_for):
    q = queries.raise_query(labs, crf_key="labs", user=monitor, field_name="alt_u_l", text="ALT?")
    site_view = page(client_for(clinician), reverse("query_detail", args=[q.pk]))
    assert 'value="close"' not in site_view and "Close the query" not in site_view and 'value="answer"' in site_view
    reviewer_view = page(client_for(monitor), reverse("query_detail", args=[q.pk]))
    assert 'value="answer"' not in reviewer_view and 'value="close"' in reviewer_view

    before = {k: v for k, v in table_counts().items() if k not in NOT_DATA}
    response = client_for(clinician).post(reverse("query_detail", args=[q.pk]), {"action": "close", "text": "x"})
    assert response.status_code == 200  # the page again with a message, not a bare 403
    assert "Your role cannot do this on a query." in [str(m) for m in get_messages(response.wsgi_request)]
    assert {k: v for k, v in table_counts().items() if k not in NOT_DATA} == before
    q.refresh_from_db()
    assert q.status == Query.Status.OPEN
    response = client_for(monitor).post(reverse("query_detail", args=[q.pk]),
                                        {"action": "answer", "text": "x", "new_value": "99"})
    assert "Your role cannot do this on a query." in [str(m) for m in get_messages(response.wsgi_request)]
    labs.refresh_from_db()
    assert labs.alt_u_l == Decimal("20")


def test_a_refused_correction_names_the_field_by_its_label(labs, clinician, monitor, client_for):
    q = queries.raise_query(labs, crf_key="labs", user=monitor, field_name="alt_u_l", text="ALT?")
    response = client_for(clinician).post(reverse("query_detail", args=[q.pk]),
                                          {"action": "answer", "text": "typo", "new_value": "lots"})
    shown = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "ALT (U/L)" in shown and "alt_u_l" not in shown
