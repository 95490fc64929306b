"""The analysis report: pooled while blinded; CONSORT counts from the screening log."""
import io

import pypdf
import pytest
from django.urls import reverse

from edc import roles
from exports.report_data import POOLED, gather
from tests import factories
from tests.exports.helpers import crafted

pytestmark = pytest.mark.django_db


@pytest.fixture
def trial(site, clinician):
    factories.strata_and_list()
    people = [crafted(site, clinician), crafted(site, clinician, infused=False)]
    failed = factories.screen(site, clinician)
    factories.screening_svc.record_screen_failure(failed, user=clinician, reason_code="exc1", note="")
    return people


def test_the_blinded_report_is_pooled_and_counts_the_flow(trial):
    r = gather()
    assert r.groups == [POOLED] and not r.released
    c = r.consort
    assert (c["screened"], c["excluded"], c["randomized"]) == (3, 1, 2)
    assert c["groups"][POOLED] == {"allocated": 2, "infused": 1, "discontinued": 0, "fas": 1, "pps": 1}
    assert [(m, counts[POOLED]) for m, counts, _, _ in r.response] == [(6, (0, 1)), (12, (0, 1))]


def test_the_page_shows_no_arm_before_release(trial, site, client_for):
    stat = factories.make_user(roles.STATISTICIAN, site)
    body = client_for(stat).get(reverse("analysis_report")).content.decode()
    assert 'data-n="screened">3<' in body and "uc-MSC arm" not in body and "data:image/png;base64" in body


def test_the_ae_table_counts_by_grade(trial, site, clinician, client_for):
    from safety.services.adverse_events import record_ae
    from tests.safety.helpers import ae_values
    record_ae(trial[0], user=clinician, **ae_values(grade=2))
    stat = factories.make_user(roles.STATISTICIAN, site)
    body = client_for(stat).get(reverse("analysis_report")).content.decode()
    assert ('<tr data-ae-row="pooled"><td>All participants (pooled, blinded)</td><td>0</td><td>1</td><td>0</td>'
            in body)


def test_the_blinded_pdf_is_pooled_and_names_no_arm(trial, site, client_for):
    stat = factories.make_user(roles.STATISTICIAN, site)
    response = client_for(stat).get(reverse("analysis_report_pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(response.content)).pages)
    assert "All participants (pooled, blinded)" in text and "Blinded: pooled figures only" in text
    assert "uc-MSC arm" not in text and "Placebo arm" not in text and "CMH" not in text


def test_other_roles_may_not_read_the_report(trial, clinician, client_for):
    for name in ("analysis_report", "analysis_report_pdf"):
        assert client_for(clinician).get(reverse(name)).status_code == 403
