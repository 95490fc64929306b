"""Export pages: request an export, watch its progress, download it; the log; releasing the arm."""
import hashlib
import secrets

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from edc import roles
from edc.access import allow, has_any_role, public
from edc.read_log import note_read
from exports.copy_csv import dataset_csv_chunks
from exports.datasets import all_datasets
from exports.models import ApiToken, ExportRun
from exports.scope import export_sites
from exports.services import release, runs
from exports.writers import DEFAULT_FORMATS, FORMAT_LABELS

FORMAT_CHOICES = list(FORMAT_LABELS.items())

EXPORTERS = {roles.STATISTICIAN, roles.DATA_MANAGER}


@allow(EXPORTERS)
def export_home(request):
    return render(request, "exports/home.html", {
        "runs": runs.visible_runs(request.user).select_related("requested_by")[:50], "released": release.arm_released(),
        "datasets": [d.name for d in all_datasets()], "formats": FORMAT_CHOICES,
        "default_formats": DEFAULT_FORMATS})


@allow(EXPORTERS)
@require_POST
def export_new(request):
    try:
        run = runs.request_export(user=request.user, unblinded=request.POST.get("unblinded") == "1",
                                  formats=request.POST.getlist("formats"))
    except PermissionDenied as e:
        messages.error(request, str(e) or _("Not allowed."))
        return redirect("export_home")
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return redirect("export_home")
    return redirect("export_detail", run_pk=run.pk)


@allow(EXPORTERS)
def export_detail(request, run_pk):
    run = get_object_or_404(runs.visible_runs(request.user), pk=run_pk)
    return render(request, "exports/detail.html", {"run": run})


@allow(EXPORTERS)
def export_progress(request, run_pk):
    run = get_object_or_404(runs.visible_runs(request.user), pk=run_pk)
    return JsonResponse({"status": run.status, "done": run.progress_done, "total": run.progress_total,
                         "percent": run.percent, "label": run.progress_label, "error": run.error})


@allow(EXPORTERS)
def export_download(request, run_pk):
    run = get_object_or_404(runs.visible_runs(request.user), pk=run_pk, status=ExportRun.Status.DONE)
    if not run.blinded and not release.arm_released():
        raise Http404  # the arm was released for a lock that has since been lifted
    handle = runs.verified_file(run)
    if handle is None:
        messages.error(request, _("This export's file is missing or no longer matches the SHA-256 and size "
                                  "recorded when it was built, so it is not served. The event is logged; "
                                  "request a new export."))
        return render(request, "exports/detail.html", {"run": run}, status=409)
    note_read(request.user, None, f"export {run.pk} ({'blinded' if run.blinded else 'unblinded'}; sites "
                                  f"{'all' if run.site_ids is None else run.site_ids})")
    return FileResponse(handle, as_attachment=True, filename=run.file_path.rsplit("/", 1)[-1])


@allow({roles.RANDOMIZATION_ADMIN})
@require_http_methods(["GET", "POST"])
def release_arm(request):
    if request.method == "POST":
        try:
            release.release_arm(user=request.user, reason=request.POST.get("reason", ""))
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _("The datasets may now carry the arm."))
        return redirect("export_release")
    return render(request, "exports/release.html", {"current": release.current_release()})


@allow({roles.STATISTICIAN})
@require_http_methods(["GET", "POST"])
def api_token(request):
    key = None
    if request.method == "POST":
        now = timezone.now()
        for token in ApiToken.objects.filter(user=request.user, revoked_at__isnull=True):
            token.revoked_at = now
            token.save(update_fields=["revoked_at"])
        key = secrets.token_urlsafe(32)
        ApiToken.objects.create(user=request.user, key_sha256=hashlib.sha256(key.encode()).hexdigest())
    return render(request, "exports/token.html", {"key": key, "tokens": request.user.api_tokens.all()})


@public  # authenticated by the token below, not by a session
def api_dataset(request, name):
    header = request.headers.get("Authorization", "")
    key = header.removeprefix("Token ").strip()
    token = ApiToken.objects.filter(key_sha256=hashlib.sha256(key.encode()).hexdigest(),
                                    revoked_at__isnull=True).select_related("user").first() if key else None
    if token is None or not token.user.is_active or not has_any_role(token.user, {roles.STATISTICIAN}):
        return JsonResponse({"error": "a valid statistician token is required"}, status=401)
    # always blinded; only the token holder's sites unless they hold the trial-wide grant (exports.scope)
    dataset = next((d for d in all_datasets(sites=export_sites(token.user)) if d.name == name), None)
    if dataset is None:
        raise Http404
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    request.edc_reader = token.user  # the read-access log (edc.read_log) names the token's owner
    note_read(token.user, None, f"API dataset {name}")
    # The same CSV as in the export bundle; written by PostgreSQL's COPY where it can be (exports.copy_csv).
    response = StreamingHttpResponse(dataset_csv_chunks(dataset), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
