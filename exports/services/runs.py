"""Export runs: logged (who, when, which datasets, blinded or not, checksum), built by a Celery task
with progress, downloaded when done (issue 7 §3-4)."""
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from edc.access import has_any_role
from edc.queue import enqueue_after_commit
from edc.roles import DATA_MANAGER, STATISTICIAN
from exports.datasets import all_datasets
from exports.models import ExportRun
from exports.services.release import arm_released

MAY_EXPORT = {STATISTICIAN, DATA_MANAGER}
EXPORT_DIR = Path(settings.EXPORT_DIR)


def request_export(*, user, unblinded: bool = False) -> ExportRun:
    if not has_any_role(user, MAY_EXPORT):
        raise PermissionDenied
    if unblinded and not arm_released():
        raise PermissionDenied("The arm is released only after database lock and dataset unblinding.")
    run = ExportRun.objects.create(requested_by=user, blinded=not unblinded,
                                   datasets=[d.name for d in all_datasets(unblinded=unblinded)])
    enqueue_after_commit("exports.tasks.build_export", str(run.pk))
    return run


def requeue_lost(older_than: timedelta = timedelta(minutes=2)) -> int:
    """Queue again the runs still waiting for a worker (the broker lost the task, or was down when the
    export was asked for): called by beat, like the e-mail retries. `build` claims a run once, so a
    run queued twice is still built once."""
    stale = list(ExportRun.objects.filter(status=ExportRun.Status.QUEUED,
                                          requested_at__lt=timezone.now() - older_than).values_list("pk", flat=True))
    for pk in stale:
        enqueue_after_commit("exports.tasks.build_export", str(pk))
    return len(stale)


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
    try:
        sha, size = write_zip(all_datasets(unblinded=not run.blinded), path, progress=progress, readme_extra=readme)
    except Exception as error:
        ExportRun.objects.filter(pk=run.pk).update(status=ExportRun.Status.FAILED, error=str(error)[:2000],
                                                   finished_at=timezone.now())
        raise
    ExportRun.objects.filter(pk=run.pk).update(status=ExportRun.Status.DONE, file_path=str(path),
                                               file_sha256=sha, file_size=size, finished_at=timezone.now())
    run.refresh_from_db()
    return run
