"""Lab import pages (docs/LAB_IMPORT.md): the data manager uploads, reviews and accepts; site staff
record the hospital record number on the participant page. Thin: services do the work."""
import hashlib
import json
from collections import Counter

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, F, Q, Value, When
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from crf.models.labs import LabPanel
from edc import roles
from edc.access import allow, has_any_role, public
from edc.selectors.participants import get_participant_for
from edc.views.helpers import attach_errors
from labs.analytes import ANALYTES
from labs.explain import shown
from labs.forms import HospitalNumberForm, MappingForm, PlaceForm, ReviewForm, UploadForm
from labs.models import ACCEPTABLE, InterfaceToken, StagedResult, Status, TestMapping
from labs.selectors import batches_for, placement_groups, status_counts
from labs.services import accept as accept_svc
from labs.services import placement as placement_svc
from labs.services.identifiers import set_hospital_record_number
from labs.services.mapping import ensure_default_mappings, save_mapping
from labs.services.staging import stage_bytes

DM = {roles.DATA_MANAGER}
PAGE = 100


@allow(DM)
@require_http_methods(["GET", "POST"])
def batches(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read(request_limit() + 1)  # never more than the limit + 1 byte in memory
        summary = stage_bytes(data, filename=upload.name, user=request.user, sites=list(request.user.sites.all()),
                              fmt=form.cleaned_data["format"], mapping_name=form.cleaned_data["mapping"],
                              dry_run=form.cleaned_data["dry_run"])
        if summary["status"] == "refused":
            messages.error(request, _("The file was refused: %(e)s") % {"e": shown(summary["error"])})
        elif summary["repeat_of_earlier_import"]:
            messages.info(request, _("This file was imported before (batch #%(n)s); nothing changed.")
                          % {"n": summary["batch"]})
        elif summary["dry_run"]:
            messages.info(request, _("Dry run: %(c)s") % {"c": json.dumps(summary["counts"])})
            return redirect("lab_batches")
        if summary["batch"]:
            return redirect("lab_batch", pk=summary["batch"])
        return redirect("lab_batches")
    return render(request, "labs/batches.html", {"form": form, "batches": batches_for(request.user)[:50]})


def request_limit() -> int:
    from django.conf import settings
    return settings.LAB_IMPORT_MAX_BYTES


def _review_rows(batch, user, status: str, page: int):
    # site isolation: a matched row shows only to staff of the participant's site
    rows = (StagedResult.objects.filter(batch=batch).select_related("participant__site", "visit", "placed_by")
            .filter(Q(participant__isnull=True) | Q(participant__site__staff=user)))
    if status:
        rows = rows.filter(status=status)
    # a participant's results outside every window come together per collection time: each such
    # group is placed at a visit as a panel (docs/LAB_IMPORT.md "Placing a result outside a visit window")
    outside = Case(When(status=Status.OUTSIDE_WINDOW, then=F("collected_at")), default=Value(None))
    pager = Paginator(rows.order_by("participant__participant_code", "visit__month", outside.asc(nulls_first=True),
                                    "position", "id"), PAGE)
    page_obj = pager.get_page(page)
    items = list(page_obj.object_list)
    groups = placement_groups(batch, items)
    panels = {p.visit_id: p for p in LabPanel.objects.filter(visit_id__in={r.visit_id for r in items if r.visit_id})}
    for row in items:
        panel = panels.get(row.visit_id)
        row.form_value = "" if panel is None or not row.field else getattr(panel, row.field)
        analyte = ANALYTES.get(row.field)
        if panel is not None and analyte and analyte.unit_field and row.form_value is not None:
            row.form_value = f"{row.form_value} {getattr(panel, analyte.unit_field)}"
        row.field_label = LabPanel._meta.get_field(row.field).verbose_name if analyte else ""
        row.acceptable = row.status in ACCEPTABLE and row.visit_id is not None
        row.place_group = groups.get((row.participant_id, row.collected_at)) \
            if row.status == Status.OUTSIDE_WINDOW else None
        row.place_head = row.place_group is not None and row.place_group.key == f"place-{row.pk}"
    return page_obj, items, groups


@allow(DM)
@require_http_methods(["GET", "POST"])
def batch_detail(request, pk):
    batch = get_object_or_404(batches_for(request.user), pk=pk)
    status = request.GET.get("status", "")
    if status not in Status.values:
        status = ""
    page_obj, items, groups = _review_rows(batch, request.user, status, request.GET.get("page", 1))
    form = ReviewForm(request.POST or None, row_ids=[r.pk for r in items] if request.method != "POST" else
                      list(StagedResult.objects.filter(batch=batch).values_list("pk", flat=True)))
    if request.method == "POST" and form.is_valid():
        action, chosen = form.cleaned_data["action"], form.cleaned_data["rows"]
        try:
            if action == "skip":
                n = accept_svc.skip(batch, chosen, user=request.user)
                messages.info(request, _("%(n)d result(s) skipped.") % {"n": n})
            else:
                kwargs = {"row_ids": chosen} if action == "rows" else {"all_ready": True} if action == "all" else \
                    {"visit_id": action.removeprefix("panel:")}
                out = accept_svc.accept(batch, user=request.user, reason=form.cleaned_data["reason"], **kwargs)
                messages.success(request, _("%(n)d result(s) accepted onto the lab forms.") % {"n": out["accepted"]})
                for error in out["errors"]:
                    messages.error(request, error)
            return redirect(request.get_full_path())
        except ValidationError as e:
            attach_errors(form, e)
    return render(request, "labs/batch.html", {
        "batch": batch, "counts": status_counts(batch), "statuses": Status.choices, "status": status,
        "page": page_obj, "rows": items, "form": form, "place_groups": groups.values()})


@allow(DM)  # the same permission as accepting
def place_results(request, pk):
    """Place a result outside every visit window (or its whole panel) at the visit the reviewer chose;
    then back to the review page with what it became (labs.services.placement). Another site's batch
    answers 404 whatever the method, so the method is checked after the lookup."""
    batch = get_object_or_404(batches_for(request.user), pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = PlaceForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    back = reverse("lab_batch", args=[batch.pk])
    if data.get("status") in Status.values:
        back += "?" + urlencode({"status": data["status"]})
    whole_panel = bool(data.get("panel"))
    try:
        rows = placement_svc.place(batch, user=request.user, row_id=data.get("panel") or data.get("row") or "",
                                   visit_id=data.get("visit", ""), reason=data.get("reason", ""),
                                   whole_panel=whole_panel)
    except PermissionDenied:
        raise Http404 from None  # another site's result: as if it did not exist (docs/ARCHITECTURE.md rule 6)
    except ValidationError as e:
        messages.error(request, _("Not placed: %(e)s") % {"e": " ".join(e.messages)})
        return redirect(back)
    became = ", ".join(f"{Status(s).label} {n}" for s, n in Counter(r.status for r in rows).items())
    messages.success(request, ngettext("%(n)d result placed at visit %(v)s: %(s)s.",
                                       "%(n)d results placed at visit %(v)s: %(s)s.", len(rows))
                     % {"n": len(rows), "v": rows[0].visit.code, "s": became})
    return redirect(back)


@allow(DM)
@require_http_methods(["GET", "POST"])
def mappings(request):
    ensure_default_mappings()
    form = MappingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            save_mapping(user=request.user, **form.cleaned_data)
            messages.success(request, _("Mapping saved."))
            return redirect("lab_mappings")
        except ValidationError as e:
            attach_errors(form, e)
    return render(request, "labs/mappings.html", {"form": form, "rows": TestMapping.objects.all()})


@allow(roles.DATA_ENTRY | DM)
@require_http_methods(["GET", "POST"])
def hospital_number(request, pk):
    participant = get_participant_for(request.user, pk)  # another site's participant: 404
    if request.method != "POST":
        return redirect("participant_detail", pk=participant.pk)  # the form lives on the participant page
    form = HospitalNumberForm(request.POST)
    if form.is_valid():
        try:
            set_hospital_record_number(participant, form.cleaned_data["number"], user=request.user,
                                       reason=form.cleaned_data["reason"])
            messages.success(request, _("Hospital record number saved."))
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
    else:
        messages.error(request, _("Give the hospital record number."))
    return redirect("participant_detail", pk=participant.pk)


@public  # authenticated by the laboratory system's token (labs.models.InterfaceToken), not a session
@csrf_exempt
@require_POST
def fhir_endpoint(request):
    key = request.headers.get("Authorization", "").removeprefix("Bearer ").removeprefix("Token ").strip()
    token = InterfaceToken.objects.filter(key_sha256=hashlib.sha256(key.encode()).hexdigest(),
                                          revoked_at__isnull=True).select_related("user").first() if key else None
    if token is None or not token.user.is_active or not has_any_role(token.user, DM):
        return JsonResponse({"error": "a valid laboratory interface token is required"}, status=401)
    content_type = request.headers.get("Content-Type", "")
    if "fhirVersion=" in content_type and "fhirVersion=4.0" not in content_type:
        return JsonResponse({"error": "this endpoint takes FHIR R4 (fhirVersion=4.0)"}, status=415)
    if len(request.body) > request_limit():
        return JsonResponse({"error": "the bundle is larger than the import limit"}, status=413)
    summary = stage_bytes(request.body, filename=f"FHIR POST {request.headers.get('X-Request-Id', '')}".strip(),
                          user=token.user, sites=list(token.user.sites.all()), fmt="fhir")
    return JsonResponse(summary, status=422 if summary["status"] == "refused" else 200)
