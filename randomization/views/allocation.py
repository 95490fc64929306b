"""Allocation list pages for the randomization administrator (unblinded)."""
import csv

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from edc import roles
from edc.access import allow
from edc.csv_cells import safe_row
from edc.views.helpers import attach_errors
from randomization.forms import AppendForm, GenerateForm, StratumForm, UploadForm
from randomization.models import Stratum
from randomization.selectors import allocation_status
from randomization.services import allocation_list as lists
from randomization.services.strata import strata_frozen, update_stratum

ADMIN = {roles.RANDOMIZATION_ADMIN}
PREVIEW_SECONDS = 30 * 60


@allow(ADMIN)
def overview(request):
    current = lists.active_list()
    return render(request, "randomization/overview.html", {
        "current": current, "status": allocation_status(current), "frozen": strata_frozen(),
        "in_use": lists.list_in_use(current), "generate_form": GenerateForm(),
        "upload_form": UploadForm(), "append_form": AppendForm()})


@allow(ADMIN)
@require_POST
def generate(request):
    form = GenerateForm(request.POST)
    if form.is_valid():
        try:
            new = lists.generate(user=request.user, seed=form.cleaned_data["seed"])
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _("Allocation list generated from seed %(s)s.") % {"s": new.seed})
    else:
        messages.error(request, " ".join(form.errors.get("seed", [])))
    return redirect("allocation_overview")


@allow(ADMIN)
@require_http_methods(["GET", "POST"])
def import_preview(request):
    """Step 1: upload and validate (dry run). Step 2: confirm the previewed file by its SHA-256."""
    form = UploadForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and "confirm" in request.POST:
        sha = request.POST.get("sha256", "")
        stored = cache.get(f"allocation-upload:{request.user.pk}:{sha}")
        if stored is None:
            messages.error(request, _("The preview has expired; upload the file again."))
            return redirect("allocation_import")
        try:
            lists.import_list(user=request.user, data=stored["data"], file_name=stored["name"])
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
            return redirect("allocation_import")
        messages.success(request, _("Allocation list imported (SHA-256 %(s)s).") % {"s": sha[:12]})
        return redirect("allocation_overview")
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        report = lists.preview_import(data)
        if report.ok:
            cache.set(f"allocation-upload:{request.user.pk}:{report.sha256}",
                      {"data": data, "name": upload.name}, PREVIEW_SECONDS)
    return render(request, "randomization/import.html", {"form": form, "report": report})


@allow(ADMIN)
@require_POST
def append(request):
    form = AppendForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            n = lists.append_rows(user=request.user, data=form.cleaned_data["file"].read(),
                                  reason=form.cleaned_data["reason"])
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _("%(n)d rows appended.") % {"n": n})
    else:
        messages.error(request, " ".join(str(m) for errs in form.errors.values() for m in errs))
    return redirect("allocation_overview")


@allow(ADMIN)
def download(request):
    current = lists.active_list()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="allocation-list.csv"'
    writer = csv.writer(response)
    writer.writerow(["stratum", "sequence", "blind_code", "arm", "used_at"])
    if current:
        for row in current.rows.select_related("stratum").order_by("stratum__order", "sequence"):
            writer.writerow(safe_row([row.stratum.code, row.sequence, row.blind_code, row.arm,
                                      row.used_at.isoformat() if row.used_at else ""]))
    return response


@allow(ADMIN)
@require_http_methods(["GET", "POST"])
def stratum_edit(request, stratum_pk):
    stratum = get_object_or_404(Stratum, pk=stratum_pk)
    form = StratumForm(request.POST or None, initial={"name": stratum.name, "capacity": stratum.capacity})
    if request.method == "POST" and form.is_valid():
        try:
            update_stratum(stratum, user=request.user, reason=form.cleaned_data["reason_for_change"],
                           name=form.cleaned_data["name"], capacity=form.cleaned_data["capacity"])
        except ValidationError as e:
            attach_errors(form, e)
        else:
            messages.success(request, _("Stratum saved."))
            return redirect("allocation_overview")
    title = _("Edit stratum: %(s)s") % {"s": stratum}
    return render(request, "edc/form.html", {"form": form, "title": title})
