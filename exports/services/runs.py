"""Export runs: logged (who, when, which datasets, blinded or not, checksum), built by a Celery task
with progress, downloaded when done (issue 7 §3-4)."""
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from edc.access import has_any_role
from edc.roles import DATA_MANAGER, STATISTICIAN
from exports.datasets import all_datasets
from exports.models import ExportRun
from exports.scope import export_sites
from exports.services.release import arm_released

MAY_EXPORT = {STATISTICIAN, DATA_MANAGER}
EXPORT_DIR = Path(settings.EXPORT_DIR)


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
    """Queue again the runs still waiting for a worker (the broker lost the task, or was down when the
    export was asked for): called by beat, like the e-mail retries. `build` claims a run once, so a
    run queued twice is still built once."""
    from edc.services.notifications import enqueue_after_commit
    from exports.tasks import build_export

    stale = list(ExportRun.objects.filter(status=ExportRun.Status.QUEUED,
                                          requested_at__lt=timezone.now() - older_than).values_list("pk", flat=True))
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


def build(run_id) -> ExportRun:
    """Write the zip (the Celery task calls this); progress is stored as it goes."""
    from exports.writers import write_zip

    # Claim: only the first worker to move the run out of "queued" builds it.
    if not ExportRun.objects.filter(pk=run_id, status=ExportRun.Status.QUEUED).update(
            status=ExportRun.Status.RUNNING):
        return ExportRun.objects.get(pk=run_id)
    run = ExportRun.objects.get(pk=run_id)
    EXPORT_DIR.mkdir(parents=True, exist_ok=True)
    path = EXPORT_DIR / f"edc-export-{timezone.now():%Y%m%d-%H%M%S}-{str(run.pk)[:8]}.zip"

    def progress(done: int, total: int, label: str) -> None:
        ExportRun.objects.filter(pk=run.pk).update(progress_done=done, progress_total=total,
                                                   progress_label=label[:200])

    readme = ("BLINDED export: blind codes only, no arm.\n" if run.blinded else
              "UNBLINDED export: contains the arm (database locked, datasets unblinded).\n")
    readme += ("Sites: all (trial-wide grant).\n" if run.site_ids is None else
               f"Sites: only the requester's sites (ids {', '.join(map(str, run.site_ids)) or 'none'}).\n")
    try:
        sha, size = write_zip(all_datasets(unblinded=not run.blinded, sites=run.site_ids), path, progress=progress,
                              readme_extra=readme, formats=run.formats, **parallel())
    except Exception as error:
        ExportRun.objects.filter(pk=run.pk).update(status=ExportRun.Status.FAILED, error=str(error)[:2000],
                                                   finished_at=timezone.now())
        raise
    ExportRun.objects.filter(pk=run.pk).update(status=ExportRun.Status.DONE, file_path=str(path),
                                               file_sha256=sha, file_size=size, finished_at=timezone.now())
    run.refresh_from_db()
    return run
