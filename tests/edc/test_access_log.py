"""Who looked at whom (docs/BLINDING.md "Read-access log"): every view and download of a participant's
data is logged (who, when, what, from where), append-only, shown to the data manager and the monitor
per participant and per person; one statement per request (budgets: tests/test_query_budgets.py)."""
from datetime import timedelta

import pytest
from django.db import IntegrityError, InternalError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from edc import roles
from edc.models import ReadAccess
from tests import factories
from tests.safety.helpers import report_sae

pytestmark = pytest.mark.django_db


@pytest.fixture
def p(site, clinician):
    factories.strata_and_list()
    return factories.randomized_participant(site, clinician)


def reads_of(participant):
    return list(ReadAccess.objects.filter(participant=participant).order_by("id"))


@pytest.mark.parametrize("name", ["participant_detail", "participant_audit", "participant_audit_csv",
                                  "casebook_pdf", "schedule_grid"])
def test_each_participant_page_and_download_writes_one_row(p, site, client_for, name):
    monitor = factories.make_user(roles.MONITOR, site)
    response = client_for(monitor).get(reverse(name, args=[p.pk]), REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    [row] = reads_of(p)
    assert (row.user, row.what, row.path, row.address) == (monitor, name, reverse(name, args=[p.pk]), "10.1.2.3")
    assert timezone.now() - row.at < timedelta(minutes=1)


def test_forms_visits_and_sae_pdf_are_logged(p, site, clinician, client_for):
    ae = report_sae(p, clinician, timezone.now() - timedelta(hours=1))
    c = client_for(clinician)
    m0 = p.visits.get(code="m0")
    for url in (reverse("visit_detail", args=[m0.pk]), reverse("visit_crf", args=[m0.pk, "vitals"]),
                reverse("ae_detail", args=[ae.pk]), reverse("sae_detail", args=[ae.sae.pk]),
                reverse("sae_report_pdf", args=[ae.sae.pk])):
        assert c.get(url).status_code == 200, url
    assert [r.what for r in reads_of(p)] == ["visit_detail", "visit_crf", "ae_detail", "sae_detail",
                                             "sae_report_pdf"]


def test_a_query_page_is_a_read_of_its_participant(p, site, clinician, client_for):
    """The query page shows the field's current value and history, so it is logged like the form."""
    from crf.services import queries
    from tests.crf import helpers as h

    m0 = p.visits.get(code="m0")
    vitals, _ = h.save("vitals", m0, clinician, acknowledge=True, **h.vitals_values(m0))
    monitor = factories.make_user(roles.MONITOR, site)
    q = queries.raise_query(vitals, crf_key="vitals", user=monitor, field_name="heart_rate", text="Check")
    assert client_for(monitor).get(reverse("query_detail", args=[q.pk])).status_code == 200
    assert [(r.user, r.what) for r in reads_of(p)] == [(monitor, "query_detail")]


def test_a_refused_read_logs_nothing(p, other_clinician, client_for):
    assert client_for(other_clinician).get(reverse("participant_detail", args=[p.pk])).status_code == 404
    assert ReadAccess.objects.count() == 0


def test_the_address_behind_the_local_proxy_is_the_forwarded_one(p, site, client_for):
    c = client_for(factories.make_user(roles.MONITOR, site))
    url = reverse("participant_detail", args=[p.pk])
    c.get(url, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    c.get(url, REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="6.6.6.6")  # not the proxy: header ignored
    c.get(url, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="not-an-address")
    assert [r.address for r in reads_of(p)] == ["203.0.113.9", "198.51.100.7", "127.0.0.1"]


def test_the_log_is_append_only_in_the_database(p, site, client_for):
    client_for(factories.make_user(roles.MONITOR, site)).get(reverse("participant_detail", args=[p.pk]))
    row = ReadAccess.objects.get()
    for sql in ("UPDATE edc_readaccess SET address = '1.1.1.1'", "DELETE FROM edc_readaccess"):
        with pytest.raises((IntegrityError, InternalError)), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql)
    row.refresh_from_db()
    assert row.address == "127.0.0.1" and ReadAccess.objects.count() == 1


def test_api_and_export_downloads_are_logged(p, site, client_for):
    from tests.url_objects import finished_export_run

    statistician = factories.make_user(roles.STATISTICIAN, site)
    c = client_for(statistician)
    run = finished_export_run(statistician)
    assert c.get(reverse("export_download", args=[run.pk])).status_code == 200
    key = _new_token(statistician)
    from django.test import Client
    response = Client().get(reverse("api_dataset", args=["participants"]), HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    b"".join(response.streaming_content)
    rows = list(ReadAccess.objects.filter(user=statistician).order_by("id"))
    assert [r.what for r in rows] == ["export_download", "api_dataset"]
    assert str(run.pk) in rows[0].detail and rows[1].detail == "API dataset participants"
    assert all(r.participant_id is None for r in rows)


def _new_token(user) -> str:
    import hashlib
    import secrets

    from exports.models import ApiToken
    key = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, key_sha256=hashlib.sha256(key.encode()).hexdigest())
    return key


@pytest.mark.parametrize("role", [roles.DATA_MANAGER, roles.MONITOR])
@pytest.mark.parametrize("lang, heading", [("en", "Access log"), ("zh-hans", "访问记录")])
def test_data_manager_and_monitor_see_the_log_of_a_participant_and_of_a_person(p, site, clinician, client_for,
                                                                               role, lang, heading):
    client_for(clinician).get(reverse("participant_detail", args=[p.pk]))
    c = client_for(factories.make_user(role, site))
    page = c.get(reverse("access_log_participant", args=[p.pk]), HTTP_ACCEPT_LANGUAGE=lang)
    text = page.content.decode()
    assert page.status_code == 200 and heading in text and clinician.printed_name in text
    assert 'data-read="participant_detail"' in text
    page = c.get(reverse("access_log_user", args=[clinician.pk]), HTTP_ACCEPT_LANGUAGE=lang)
    assert page.status_code == 200 and p.label in page.content.decode()
    assert ReadAccess.objects.filter(what__startswith="access_log").count() == 0  # the log is not patient data


def test_the_access_log_keeps_to_the_viewers_sites(p, site, other_site, client_for):
    outsider = factories.make_user(roles.DATA_MANAGER, other_site)
    c = client_for(outsider)
    assert c.get(reverse("access_log_participant", args=[p.pk])).status_code == 404
    colleague = factories.make_user(roles.CLINICIAN, site)
    assert c.get(reverse("access_log_user", args=[colleague.pk])).status_code == 404
    assert c.get("/access-log/users/999999/").status_code == 404
    clinician_client = client_for(colleague)
    assert clinician_client.get(reverse("access_log_participant", args=[p.pk])).status_code == 403


def test_one_statement_per_request_whatever_was_read(p, site, clinician, client_for):
    """A page that resolves its participant several times (form, visit, panels) still adds one INSERT."""
    c = client_for(clinician)
    m0 = p.visits.get(code="m0")
    with CaptureQueriesContext(connection) as ctx:
        assert c.get(reverse("visit_crf", args=[m0.pk, "vitals"])).status_code == 200
    inserts = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith('INSERT INTO "edc_readaccess"')]
    assert len(inserts) == 1 and ReadAccess.objects.filter(participant=p).count() == 1
