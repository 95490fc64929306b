"""Central monitoring pages: the indicators, one indicator's click-through, the SDV plan with its
coverage, and the monitor's worklist. Thin: parse, call a selector or service, render."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from crf import registry
from edc.access import allow, has_any_role
from edc.selectors.participants import get_participant_for
from edc.views.helpers import attach_errors

from .access import MONITORING_ROLES, PLAN_EDITORS, VERIFIERS
from .forms import PlanForm, VerifyRecordForm
from .indicators import BY_CODE, GROUP_ORDER
from .models import RecordKind
from .selectors import kri, sdv
from .selectors.scope import scope_for
from .services import PLAN_FIELDS, change_plan, verify_record

RECORD_LABELS = dict(RecordKind.choices)
SITE_COLUMNS = 4


def form_label(key: str) -> str:
    crf_type = registry.get(key)
    return str(crf_type.label) if crf_type else str(RECORD_LABELS.get(key, key))


def item_link(kind: str, row: dict) -> str:
    """Where a click-through row leads: the query, form, visit or SAE behind it."""
    ref, obj, visit_id, participant_id = row.get("ref") or row.get("form_key"), row.get("obj") or \
        row.get("object_id"), row.get("visit_id"), row["participant_id"]
    if kind == "query":
        return reverse("query_detail", args=[obj])
    if kind == "visit":
        return reverse("visit_detail", args=[obj])
    if kind == "sae" or ref == RecordKind.SAE:
        return reverse("sae_detail", args=[obj])
    if kind == "form" and registry.get(ref or ""):
        if visit_id and not registry.get(ref).log:
            return reverse("visit_crf", args=[visit_id, ref])
        return reverse("log_crf_edit", args=[participant_id, ref, obj])
    if kind == "participant" and registry.get(ref or "") and registry.get(ref).log:
        return reverse("log_crf", args=[participant_id, ref])  # e.g. the dose log, the medication log
    return reverse("participant_detail", args=[participant_id])


@allow(MONITORING_ROLES)
def dashboard(request):
    scope, sites = scope_for(request.user, request.GET.get("site", ""))
    plan = sdv.current_plan()
    results = kri.all_indicators(scope, plan)
    groups: dict = {str(g): [] for g in GROUP_ORDER}
    for r in results:
        groups.setdefault(str(r.indicator.group), []).append(r)
    shown_sites = [s for s in sites if s.pk in scope.site_ids]
    for r in results:
        r.site_cells = [(s, r.by_site.get(s.pk)) for s in shown_sites]
        colours = [v.colour for v in r.by_site.values()]
        r.sites_red, r.sites_amber = colours.count("red"), colours.count("amber")
    if len(shown_sites) > SITE_COLUMNS:  # more sites than columns fit: count them, the indicator page lists them
        shown_sites = []
    return render(request, "monitoring/dashboard.html", {
        "groups": groups, "sites": sites, "shown_sites": shown_sites if len(shown_sites) > 1 else [],
        "site_count": len(scope.site_ids),
        "site_code": request.GET.get("site", ""), "today": scope.today, "first_day": scope.days[-1]})


@allow(MONITORING_ROLES)
def indicator_detail(request, code: str):
    indicator = BY_CODE.get(code)
    if indicator is None:
        raise Http404
    scope, sites = scope_for(request.user, request.GET.get("site", ""))
    plan = sdv.current_plan()
    result, rows, people = kri.indicator_page(indicator, scope, plan)
    for row in rows:
        row["link"] = item_link(indicator.link, row)
        row["label"] = form_label(row["ref"]) if indicator.link in ("form", "participant") else row["ref"]
    site_values = [(s, result.by_site.get(s.pk)) for s in sites if s.pk in scope.site_ids]
    return render(request, "monitoring/indicator.html", {
        "r": result, "i": indicator, "rows": rows, "people": people, "site_values": site_values,
        "sites": sites, "site_code": request.GET.get("site", ""), "limit": 500})


@allow(MONITORING_ROLES)
@require_http_methods(["GET", "POST"])
def plan_page(request):
    scope, sites = scope_for(request.user, request.GET.get("site", ""))
    plan = sdv.current_plan()
    may_edit = has_any_role(request.user, PLAN_EDITORS)
    initial = {name: getattr(plan, name) for name in PLAN_FIELDS}
    form = PlanForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        if form.is_valid():
            values = {k: v for k, v in form.cleaned_data.items() if k != "reason_for_change"}
            try:
                changed = change_plan(plan, user=request.user, reason=form.cleaned_data["reason_for_change"],
                                      **values)
            except ValidationError as e:
                attach_errors(form, e)
            else:
                messages.success(request, _("The SDV plan is changed.") if changed
                                 else _("Nothing changed."))
                return redirect("monitoring_plan")
    cov = sdv.coverage(scope, plan)
    site_names = {s.pk: s.name for s in sites}
    by_site = [(site_names.get(c.site_id, ""), c) for c in cov if c.site_id is not None]
    by_form = sorted(((form_label(c.form_key), c) for c in cov if c.form_key is not None), key=lambda x: x[0])
    total = next((c for c in cov if c.site_id is None and c.form_key is None), None)
    history = plan.history.select_related("history_user").order_by("-history_date")[:50]
    return render(request, "monitoring/plan.html", {
        "plan": plan, "form": form, "may_edit": may_edit, "by_site": sorted(by_site, key=lambda x: x[0]),
        "by_form": by_form, "total": total, "history": history, "sites": sites,
        "site_code": request.GET.get("site", "")})


@allow(MONITORING_ROLES)
def worklist(request):
    scope, sites = scope_for(request.user, request.GET.get("site", ""))
    plan = sdv.current_plan()
    items, total = sdv.worklist(scope, plan)
    for item in items:
        item["label"] = form_label(item["form_key"])
        item["link"] = item_link("form", item)
        item["record"] = item["form_key"] in RecordKind.values
    return render(request, "monitoring/worklist.html", {
        "items": items, "total": total, "sites": sites, "site_code": request.GET.get("site", ""),
        "may_verify": has_any_role(request.user, VERIFIERS), "plan": plan})


@allow(VERIFIERS)
@require_http_methods(["GET", "POST"])
def verify(request, pk):
    participant = get_participant_for(request.user, pk)  # another site's participant: 404 first
    if request.method == "GET":
        return redirect("monitoring_worklist")
    form = VerifyRecordForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a record to verify."))
    else:
        try:
            verify_record(user=request.user, participant=participant, **form.cleaned_data)
            messages.success(request, _("Marked verified against source."))
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
    return redirect("monitoring_worklist")

