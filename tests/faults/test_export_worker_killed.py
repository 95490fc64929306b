"""An export whose worker is killed mid-build (docs/EXPORTS_RELIABILITY.md): a real Celery worker
(subprocess, own Redis) is killed with SIGKILL while the run is "running"; a new worker's beat takes
the run over once its lease has run out, removes the partial file and builds it; the download is
served only while the file matches the SHA-256 and size recorded for the run."""
import hashlib
import logging
import time

import pytest
from django.urls import reverse

from edc import roles
from exports.models import ExportRun
from exports.services import runs
from tests import factories
from tests.exports.helpers import crafted
from tests.faults.workers import Services, use_broker, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_killed_export_worker_is_taken_over_and_the_file_verified(site, clinician, tmp_path, client_for, caplog):
    exports = tmp_path / "exports"
    services = Services(tmp_path, EDC_EXPORT_DIR=str(exports), EDC_EXPORT_LEASE_SECONDS="2",
                        EDC_EXPORT_SWEEP_SECONDS="1")
    old_broker = use_broker(services.url)
    factories.strata_and_list()
    for infused in (True, False, True):
        crafted(site, clinician, infused=infused)
    statistician = factories.make_user(roles.STATISTICIAN, site)
    try:
        services.start_redis()
        services.start_worker()
        run = runs.request_export(user=statistician)
        wait_for(lambda: ExportRun.objects.filter(pk=run.pk, status="running").exists(), 60, "the build to start")
        services.kill_worker()  # mid-build
        killed_at = time.time()
        run.refresh_from_db()
        assert run.status == "running" and run.builds == 1
        services.start_worker()
        wait_for(lambda: ExportRun.objects.get(pk=run.pk).status in ("done", "failed"), 90, "the run to finish")
        recovered_at = time.time()
    finally:
        services.close()
        use_broker(old_broker)
    run.refresh_from_db()
    assert run.status == "done", run.error
    assert run.builds == 2  # taken over once, built again from the start
    assert not list(exports.glob("*.part")) and not list(exports.glob(".*.part"))  # no stray partial file
    data = open(run.file_path, "rb").read()
    assert hashlib.sha256(data).hexdigest() == run.file_sha256 and len(data) == run.file_size
    print(f"\n[fault figures] export worker killed: running -> done after {recovered_at - killed_at:.1f} s "
          "(lease 2 s + sweep 1 s + worker start + build)")

    c = client_for(statistician)
    assert c.get(reverse("export_download", args=[run.pk])).status_code == 200
    with open(run.file_path, "r+b") as f:  # the file changes on disk after it was recorded
        f.seek(10)
        f.write(b"\x00\x01")
    with caplog.at_level(logging.ERROR, logger="edc.exports"):
        refused = c.get(reverse("export_download", args=[run.pk]))
    assert refused.status_code == 409
    assert b"no longer matches the SHA-256 and size" in refused.content
    assert any("does not match its record" in r.getMessage() for r in caplog.records)
