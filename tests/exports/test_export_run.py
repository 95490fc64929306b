"""An export run end to end: the Celery task's build writes the zip (CSV, .sav with labels,
codebook, ODM), records its checksum and progress; the blinded zip holds no arm anywhere."""
import hashlib
import zipfile

import pyreadstat
import pytest

from edc import roles
from exports.models import ExportRun
from exports.services import runs
from tests import factories
from tests.exports.helpers import crafted

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(site, clinician, tmp_path, monkeypatch):
    monkeypatch.setattr(runs, "EXPORT_DIR", tmp_path)
    factories.strata_and_list()
    people = [crafted(site, clinician), crafted(site, clinician, infused=False)]
    statistician = factories.make_user(roles.STATISTICIAN, site)
    built = runs.build(runs.request_export(user=statistician).pk)
    return built, people, tmp_path


def test_the_zip_is_complete_and_its_checksum_recorded(run):
    built, _, _ = run
    assert built.status == ExportRun.Status.DONE and built.progress_done == built.progress_total > 0
    data = open(built.file_path, "rb").read()
    assert hashlib.sha256(data).hexdigest() == built.file_sha256 and len(data) == built.file_size
    names = zipfile.ZipFile(built.file_path).namelist()
    for expected in ("participants.csv", "participants.sav", "response.sav", "adverse_events.csv",
                     "crf_labs.sav", "codebook.csv", "odm.xml", "README.txt"):
        assert expected in names


def test_the_sav_reads_back_with_its_labels(run):
    built, people, tmp_path = run
    with zipfile.ZipFile(built.file_path) as z:
        (tmp_path / "p.sav").write_bytes(z.read("participants.sav"))
    frame, meta = pyreadstat.read_sav(str(tmp_path / "p.sav"))
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert labels["blind_code"].startswith("Blind code / 盲码")
    assert meta.variable_value_labels["fas"] == {1: "yes", 0: "no"} or 1 in meta.variable_value_labels["fas"]
    assert sorted(frame["participant_id"]) == sorted(p.participant_code for p in people)


def test_the_blinded_zip_holds_no_arm(run):
    built, people, _ = run
    with zipfile.ZipFile(built.file_path) as z:
        text = "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if not n.endswith(".sav"))
    assert ",arm" not in text and "uc-MSC arm" not in text
    for p in people:
        assert f"{p.randomization.blind_code}," in text or p.randomization.blind_code in text


def test_a_run_is_built_once_however_often_its_task_runs(run):
    built, _, tmp_path = run
    again = runs.build(built.pk)  # a redelivered or requeued task
    assert again.file_sha256 == built.file_sha256 and len(list(tmp_path.glob("*.zip"))) == 1


def test_beat_requeues_runs_whose_task_was_lost(site, tmp_path, monkeypatch, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    from exports import tasks

    monkeypatch.setattr(runs, "EXPORT_DIR", tmp_path)
    sent = []
    monkeypatch.setattr(tasks.build_export, "apply_async", lambda args: sent.append(args[0]))
    statistician = factories.make_user(roles.STATISTICIAN, site)
    lost = ExportRun.objects.create(requested_by=statistician)
    ExportRun.objects.filter(pk=lost.pk).update(requested_at=timezone.now() - timedelta(minutes=10))
    ExportRun.objects.create(requested_by=statistician)  # just asked for: its task is on its way
    ExportRun.objects.create(requested_by=statistician, status=ExportRun.Status.DONE)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.requeue_lost_exports() == 1
    assert sent == [str(lost.pk)]
    runs.build(lost.pk)
    assert ExportRun.objects.get(pk=lost.pk).status == ExportRun.Status.DONE


def test_stata_and_sas_files_come_when_asked_and_read_back(site, clinician, tmp_path, monkeypatch):
    monkeypatch.setattr(runs, "EXPORT_DIR", tmp_path)
    factories.strata_and_list()
    people = [crafted(site, clinician)]
    statistician = factories.make_user(roles.STATISTICIAN, site)
    built = runs.build(runs.request_export(user=statistician, formats=["xpt", "dta", "xpt"]).pk)
    assert built.formats == ["dta", "xpt"]  # the writers' order, each once
    with zipfile.ZipFile(built.file_path) as z:
        names = z.namelist()
        (tmp_path / "p.dta").write_bytes(z.read("participants.dta"))
        (tmp_path / "p.xpt").write_bytes(z.read("participants.xpt"))
    assert "participants.csv" not in names and "variable_names.csv" in names and "load_datasets.R" in names
    frame, _ = pyreadstat.read_dta(str(tmp_path / "p.dta"))
    assert list(frame["participant_id"]) == [people[0].participant_code]
    frame, meta = pyreadstat.read_xport(str(tmp_path / "p.xpt"))
    assert list(frame["PARTICIP"]) == [people[0].participant_code] and meta.table_name == "PARTICIP"


@pytest.mark.parametrize("formats", [[], ["sas7bdat"], [""]])
def test_an_export_without_a_known_format_is_refused_and_nothing_logged(site, client_for, formats):
    statistician = factories.make_user(roles.STATISTICIAN, site)
    client = client_for(statistician)
    response = client.post("/exports/new/", {"unblinded": "0", "formats": formats}, follow=True)
    assert "Choose at least one file format." in response.content.decode()
    assert not ExportRun.objects.exists()


def test_an_expired_lease_is_taken_over_then_failed_with_a_message(site, tmp_path, monkeypatch, settings,
                                                                     client_for):
    """Without a worker (the kill itself: tests/faults/test_export_worker_killed.py): a run whose lease
    ran out goes back to the queue and its partial file is removed; after the allowed takeovers it
    fails with a message the requester sees; partial files of runs nobody builds are removed."""
    from datetime import timedelta

    from django.urls import reverse
    from django.utils import timezone

    monkeypatch.setattr(runs, "EXPORT_DIR", tmp_path)
    settings.EDC_EXPORT_MAX_TAKEOVERS = 1
    statistician = factories.make_user(roles.STATISTICIAN, site)
    run = ExportRun.objects.create(requested_by=statistician, status=ExportRun.Status.RUNNING, builds=1,
                                   lease_expires_at=timezone.now() - timedelta(seconds=1))
    part = tmp_path / f".edc-export-20250101-000000-{str(run.pk)[:8]}.zip.0123abcd.part"
    part.write_bytes(b"half a zip")
    stray = tmp_path / ".edc-export-20250101-000000-deadbeef.zip.0123abcd.part"
    stray.write_bytes(b"left by a run long gone")
    live = ExportRun.objects.create(requested_by=statistician, status=ExportRun.Status.RUNNING, builds=1,
                                    lease_expires_at=timezone.now() + timedelta(minutes=3))
    live_part = tmp_path / f".edc-export-20250101-000000-{str(live.pk)[:8]}.zip.0123abcd.part"
    live_part.write_bytes(b"being written")
    runs.requeue_lost()
    run.refresh_from_db()
    assert run.status == ExportRun.Status.QUEUED and not part.exists() and not stray.exists()
    assert live_part.exists() and ExportRun.objects.get(pk=live.pk).status == ExportRun.Status.RUNNING
    ExportRun.objects.filter(pk=run.pk).update(status=ExportRun.Status.RUNNING, builds=2,
                                               lease_expires_at=timezone.now() - timedelta(seconds=1))
    runs.requeue_lost()
    run.refresh_from_db()
    assert run.status == ExportRun.Status.FAILED and "stopped more than once" in run.error
    page = client_for(statistician).get(reverse("export_detail", args=[run.pk])).content.decode()
    assert "request a new export" in page
