"""The statistician in the browser: starts a blinded export, watches its progress
while a real Celery worker builds it, downloads the zip and opens the .sav with its labels; reads the
analysis report and downloads its PDF."""
import io
import os
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pypdf
import pyreadstat
import pytest
from django.conf import settings

from edc import celery_app, roles
from tests import factories
from tests.exports.helpers import crafted
from tests.randomization.test_concurrency import database_url

from .conftest import shot
from .test_enrolment_path import sign_in

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(tmp_path):
    """A real Celery worker on the suite's broker and the test database; exports written under tmp_path."""
    celery_app.control.purge()  # tasks queued by earlier tests (no worker ran for them) must not run now
    env = dict(os.environ, DATABASE_URL=database_url(), REDIS_URL=settings.REDIS_URL,
               EDC_EXPORT_DIR=str(tmp_path / "exports"), DJANGO_SETTINGS_MODULE="edc.settings")
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "edc", "worker", "--pool=solo", "-l", "warning"], cwd=ROOT, env=env,
        stdout=open(tmp_path / "worker.log", "ab"), stderr=subprocess.STDOUT, start_new_session=True)
    yield process
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def test_the_statistician_downloads_the_datasets_and_the_report(page, worker, tmp_path):
    site = factories.make_site("plagh", "BJ")
    clinician = factories.make_user(roles.CLINICIAN, site)
    factories.strata_and_list()
    people = [crafted(site, clinician), crafted(site, clinician, infused=False)]
    statistician = factories.make_user(roles.STATISTICIAN, site)

    sign_in(page, statistician)
    page.click("nav >> text=Exports")
    page.click("text=New blinded export")
    page.wait_for_selector("#download:not([hidden])", timeout=90_000)  # polled while the worker builds it
    assert page.locator("#bar").get_attribute("value") == "100"
    shot(page, "12-export-done")
    with page.expect_download() as info:
        page.click("text=Download the zip")
    archive = tmp_path / "export.zip"
    info.value.save_as(archive)
    with zipfile.ZipFile(archive) as z:
        z.extract("participants.sav", tmp_path)
        assert "arm" not in z.read("participants.csv").decode("utf-8-sig").splitlines()[0].split(",")
    frame, meta = pyreadstat.read_sav(str(tmp_path / "participants.sav"))
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert labels["participant_id"] == "Participant ID / 受试者编号"
    assert meta.variable_value_labels["fas"] == {0.0: "no", 1.0: "yes"}
    assert sorted(frame["participant_id"]) == sorted(p.participant_code for p in people)
    assert "arm" not in frame.columns

    page.click("nav >> text=Report")
    page.wait_for_selector("#consort")
    assert page.inner_text('[data-n="randomized"]') == "2"
    assert "pooled" in page.inner_text("#report-status").lower()
    shot(page, "13-analysis-report")
    with page.expect_download() as info:
        page.click("#report-pdf")
    pdf_path = tmp_path / "report.pdf"
    info.value.save_as(pdf_path)
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf_path.read_bytes())).pages)
    assert "Analysis report" in text and "Randomized: 2" in text
