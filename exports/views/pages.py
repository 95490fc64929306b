"""Export pages: request an export, watch its progress, download it; the log; releasing the arm."""
import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from edc import roles
from edc.access import allow, public
from exports.datasets import all_datasets
from exports.models import ExportRun
from exports.services import api_tokens, release, runs

EXPORTERS = {roles.STATISTICIAN, roles.DATA_MANAGER}


@allow(EXPORTERS)
def export_home(request):
    return render(request, "exports/home.html", {
        "runs": ExportRun.objects.select_related("requested_by")[:50], "released": release.arm_released(),
        "datasets": [d.name for d in all_datasets()]})


@allow(EXPORTERS)
@require_POST
def export_new(request):
    try:
        run = runs.request_export(user=request.user, unblinded=request.POST.get("unblinded") == "1")
    except PermissionDenied as e:
        messages.error(request, str(e) or _("Not allowed."))
        return redirect("export_home")
    return redirect("export_detail", run_pk=run.pk)


@allow(EXPORTERS)
def export_detail(request, run_pk):
    run = get_object_or_404(ExportRun, pk=run_pk)
    return render(request, "exports/detail.html", {"run": run})


@allow(EXPORTERS)
def export_progress(request, run_pk):
    run = get_object_or_404(ExportRun, pk=run_pk)
    return JsonResponse({"status": run.status, "done": run.progress_done, "total": run.progress_total,
                         "percent": run.percent, "label": run.progress_label, "error": run.error})


@allow(EXPORTERS)
def export_download(request, run_pk):
    run = get_object_or_404(ExportRun, pk=run_pk, status=ExportRun.Status.DONE)
    if not run.blinded and not release.arm_released():
        raise Http404  # the arm was released for a lock that has since been lifted
    try:
        handle = open(run.file_path, "rb")
    except OSError:
        raise Http404
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
    key = api_tokens.rotate_token(request.user) if request.method == "POST" else None
    return render(request, "exports/token.html", {"key": key, "tokens": request.user.api_tokens.all()})


class _Echo:
    def write(self, value):
        return value


@public  # authenticated by the token below, not by a session
def api_dataset(request, name):
    user = api_tokens.authenticate(request.headers.get("Authorization", ""))
    if user is None:
        return JsonResponse({"error": "a valid statistician token is required"}, status=401)
    dataset = next((d for d in all_datasets() if d.name == name), None)  # always blinded
    if dataset is None:
        raise Http404
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff" + writer.writerow([c.name for c in dataset.columns])
        for row in dataset.iter_rows():
            yield writer.writerow(["" if v is None else v for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
