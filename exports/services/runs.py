"""Export runs: logged (who, when, which datasets, blinded or not, checksum), built by a Celery task
with progress, downloaded when done and only if the file is still the one recorded
(docs/EXPORTS_RELIABILITY.md).

A dead worker does not leave a run "running" for ever: the builder holds a lease that a background
thread renews every third of EDC_EXPORT_LEASE_SECONDS while the process lives; the beat's sweep
(`requeue_lost`, every EDC_EXPORT_SWEEP_SECONDS) takes over a run whose lease has run out, removes
its partial file and builds it again, up to EDC_EXPORT_MAX_TAKEOVERS times, then fails it with a
message the requester sees. Recovery: at most lease + sweep interval (4 minutes by default).
"""
import hashlib
import logging
import threading
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from edc.access import has_any_role
from edc.roles import DATA_MANAGER, STATISTICIAN
from exports.datasets import all_datasets
from exports.models import ExportRun
from exports.scope import export_sites
from exports.services.release import arm_released

log = logging.getLogger("edc.exports")
MAY_EXPORT = {STATISTICIAN, DATA_MANAGER}
EXPORT_DIR = Path(settings.EXPORT_DIR)
GAVE_UP = gettext_noop("The worker building this export stopped more than once; request a new export.")


class LeaseLost(Exception):
    """Another worker took this run over: stop writing."""


def lease() -> timedelta:
    return timedelta(seconds=settings.EDC_EXPORT_LEASE_SECONDS)


def request_export(*, user, unblinded: bool = False, formats=("csv", "sav")) -> ExportRun:
    """Log and queue an export of every dataset in `formats` (some of exports.writers.FORMATS)."""
    from exports.writers import FORMATS

    if not has_any_role(user, MAY_EXPORT):
        raise PermissionDenied
    if unblinded and not arm_released():
        raise PermissionDenied("The arm is released only after database lock and dataset unblinding.")
    formats = [f for f in FORMATS if f in set(formats)]  # the writers' order, each once
    if not formats:
        raise ValidationError(_("Choose at least one file format."))
    run = ExportRun.objects.create(requested_by=user, blinded=not unblinded, formats=formats,
                                   site_ids=export_sites(user),
                                   datasets=[d.name for d in all_datasets(unblinded=unblinded)])
    from edc.services.notifications import enqueue_after_commit
    from exports.tasks import build_export
    enqueue_after_commit(build_export, str(run.pk))
    return run


def visible_runs(user):
    """Runs a user may open: those holding only sites the user belongs to; every run for a holder of
    the trial-wide grant (a trial-wide run is never visible to a site member)."""
    qs = ExportRun.objects.all()
    sites = export_sites(user)
    return qs if sites is None else qs.filter(site_ids__isnull=False, site_ids__contained_by=sites)


def requeue_lost(older_than: timedelta = timedelta(minutes=2)) -> int:
    """Beat: queue again the runs still waiting for a worker (the broker lost the task, or was down),
    take over the runs whose builder's lease ran out, and remove partial files nobody writes.
    `build` claims a run once, so a run queued twice is still built once."""
    from edc.services.notifications import enqueue_after_commit
    from exports.tasks import build_export

    now = timezone.now()
    expired = ExportRun.objects.filter(status=ExportRun.Status.RUNNING, lease_expires_at__lt=now)
    given_up = expired.filter(builds__gt=settings.EDC_EXPORT_MAX_TAKEOVERS)
    for run in given_up:
        log.error("export %s: builder lost %d times, failed", run.pk, run.builds)
    given_up.update(status=ExportRun.Status.FAILED, finished_at=now, error=GAVE_UP)
    taken = list(expired.values_list("pk", flat=True))
    if taken:
        log.warning("export runs whose worker died, taken over: %s", taken)
        expired.update(status=ExportRun.Status.QUEUED, lease_expires_at=None)
    remove_stray_parts()
    stale = list(ExportRun.objects.filter(Q(pk__in=taken) | Q(requested_at__lt=now - older_than),
                                          status=ExportRun.Status.QUEUED).values_list("pk", flat=True))
    for pk in stale:
        enqueue_after_commit(build_export, str(pk))
    return len(stale)


def parallel() -> dict:
    """write_zip's processes: EXPORT_PROCESSES, but one inside a transaction (a forked process has its own
    connection and would not see the transaction's rows: the tests' case); database connections are closed
    before forking so that no socket is shared between the two processes."""
    from django.db import connection, connections

    if connection.in_atomic_block:
        return {"processes": 1}
    return {"processes": settings.EXPORT_PROCESSES, "before_fork": connections.close_all}


def _part_files(run_pk) -> list[Path]:
    return list(EXPORT_DIR.glob(f".edc-export-*-{str(run_pk)[:8]}.zip.*.part")) if EXPORT_DIR.exists() else []


def remove_stray_parts() -> list[Path]:
    """Partial files (.part) of runs that are not being built: left by a worker that died."""
    if not EXPORT_DIR.exists():
        return []
    building = {str(pk)[:8] for pk in ExportRun.objects.filter(status=ExportRun.Status.RUNNING)
                .values_list("pk", flat=True)}
    removed = []
    for part in EXPORT_DIR.glob(".edc-export-*.part"):
        run_prefix = part.name.split(".zip.")[0].rsplit("-", 1)[-1]
        if run_prefix not in building:
            part.unlink(missing_ok=True)
            removed.append(part)
    if removed:
        log.warning("removed %d stray partial export file(s): %s", len(removed), [p.name for p in removed])
    return removed


def _claim(run_id) -> int | None:
    """Move a queued run to running under a fresh lease; the build number, or None if not ours."""
    now = timezone.now()
    if not ExportRun.objects.filter(pk=run_id, status=ExportRun.Status.QUEUED).update(
            status=ExportRun.Status.RUNNING, lease_expires_at=now + lease(), builds=F("builds") + 1,
            progress_done=0, progress_label=""):
        return None
    return ExportRun.objects.values_list("builds", flat=True).get(pk=run_id)


def _mine(run_pk, build: int):
    return ExportRun.objects.filter(pk=run_pk, status=ExportRun.Status.RUNNING, builds=build)


def _renew_while(run_pk, build: int, stop: threading.Event) -> None:
    try:
        while not stop.wait(lease().total_seconds() / 3):
            if not _mine(run_pk, build).update(lease_expires_at=timezone.now() + lease()):
                return
    finally:
        connection.close()  # this thread's own connection


def build(run_id) -> ExportRun:
    """Write the zip (the Celery task calls this); progress is stored as it goes."""
    from exports.writers import write_zip

    number = _claim(run_id)
    if number is None:
        return ExportRun.objects.get(pk=run_id)
    run = ExportRun.objects.get(pk=run_id)
    EXPORT_DIR.mkdir(parents=True, exist_ok=True)
    for part in _part_files(run.pk):  # an earlier build of this run died mid-write
        part.unlink(missing_ok=True)
    path = EXPORT_DIR / f"edc-export-{timezone.now():%Y%m%d-%H%M%S}-{str(run.pk)[:8]}.zip"

    def progress(done: int, total: int, label: str) -> None:
        if not _mine(run.pk, number).update(progress_done=done, progress_total=total, progress_label=label[:200],
                                            lease_expires_at=timezone.now() + lease()):
            raise LeaseLost(run.pk)

    readme = ("BLINDED export: blind codes only, no arm.\n" if run.blinded else
              "UNBLINDED export: contains the arm (database locked, datasets unblinded).\n")
    readme += ("Sites: all (trial-wide grant).\n" if run.site_ids is None else
               f"Sites: only the requester's sites (ids {', '.join(map(str, run.site_ids)) or 'none'}).\n")
    stop = threading.Event()
    renewer = threading.Thread(target=_renew_while, args=(run.pk, number, stop), daemon=True)
    renewer.start()
    try:
        sha, size = write_zip(all_datasets(unblinded=not run.blinded, sites=run.site_ids), path, progress=progress,
                              readme_extra=readme, formats=run.formats, **parallel())
    except LeaseLost:
        log.warning("export %s build %d: taken over by another worker; stopped", run.pk, number)
        return ExportRun.objects.get(pk=run.pk)
    except Exception as error:
        _mine(run.pk, number).update(status=ExportRun.Status.FAILED, error=str(error)[:2000],
                                     finished_at=timezone.now())
        raise
    finally:
        stop.set()
        renewer.join()
    if not _mine(run.pk, number).update(status=ExportRun.Status.DONE, file_path=str(path), file_sha256=sha,
                                        file_size=size, finished_at=timezone.now(), lease_expires_at=None):
        path.unlink(missing_ok=True)  # taken over at the last moment: the other build's file counts
    run.refresh_from_db()
    return run


def verified_file(run: ExportRun):
    """The finished zip opened for reading if it is still the file recorded for the run (size and
    SHA-256), else None — the caller refuses the download and this logs why."""
    try:
        handle = open(run.file_path, "rb")
    except OSError as error:
        log.error("export %s: file %s unreadable: %s", run.pk, run.file_path, error)
        return None
    size = Path(run.file_path).stat().st_size
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(1 << 20), b""):
        digest.update(chunk)
    if size != run.file_size or digest.hexdigest() != run.file_sha256:
        log.error("export %s: file %s does not match its record (size %s, recorded %s; sha-256 %s, recorded %s)",
                  run.pk, run.file_path, size, run.file_size, digest.hexdigest(), run.file_sha256)
        handle.close()
        return None
    handle.seek(0)
    return handle
