"""One generic page for every eCRF (crf.registry): enter, correct with a reason, see the computed
values explained, and save anyway past soft warnings (recorded)."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from crf import registry
from crf.forms import add_reason_field
from crf.models import CrfStatus
from crf.schedule import BY_CODE
from crf.selectors import display_value, get_visit_for
from crf.services.entry import SoftWarnings, save_crf
from crf.services.locks import active_locks_for
from crf.views.review_panel import review_panel
from edc import extensions, roles
from edc.access import allow, has_any_role
from edc.drafts import mark_saved
from edc.selectors.participants import get_participant_for
from edc.views.helpers import attach_errors


def _crf_type(key: str, *, log: bool) -> registry.CrfType:
    t = registry.get(key)
    if t is None or t.log != log:
        raise Http404
    return t


def _handle(request, crf_type, instance, *, visit, back, context):
    existing = not instance._state.adding
    # A POST needs only "is it locked?" (one query, whose answer the save's write guard reuses); the
    # review panel is built when the page is shown.
    active = active_locks_for(instance, remember=request.method == "POST")
    panel = (review_panel(request, crf_type, instance, query_field=request.GET.get("query_field", ""))
             if existing and request.method != "POST" else None)
    may_enter = has_any_role(request.user, roles.DATA_ENTRY)
    can_edit = may_enter and not active
    if request.method == "POST" and not may_enter:
        raise PermissionDenied  # monitors are read-only
    if request.method == "POST" and active:  # locked while the user was typing: say so, save nothing
        messages.error(request, _("Not saved. %(lock)s") % {"lock": active[0].describe()})
        return redirect(request.get_full_path())
    readonly_reason = (active[0].describe() if active else
                       "" if may_enter else _("Read-only for your role: you review data, you do not enter it."))
    form = crf_type.form(request.POST or None, instance=instance)
    if existing:
        add_reason_field(form)
    if not can_edit:
        for field in form.fields.values():
            field.disabled = True
    warnings = []
    if request.method == "POST" and form.is_valid():
        obj = form.save(commit=False)
        obj.status = CrfStatus.IN_PROGRESS if request.POST.get("draft") else CrfStatus.COMPLETE
        try:
            saved_warnings = save_crf(crf_type, obj, visit=visit, user=request.user,
                                      reason=form.cleaned_data.get("reason_for_change", ""),
                                      acknowledge=bool(request.POST.get("acknowledge")))
        except SoftWarnings as soft:
            warnings = soft.warnings
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("%(form)s saved.") % {"form": crf_type.label})
            if saved_warnings:
                messages.warning(request, _("Saved with %(n)d warning(s) recorded.") % {"n": len(saved_warnings)})
            return mark_saved(redirect(back), request.path)  # the browser drops its copy of what was typed
    shown = instance if not instance._state.adding else None
    if existing and panel is None:  # a POST that did not save: the panel of the form as stored
        panel = review_panel(request, crf_type, crf_type.model.objects.get(pk=instance.pk))
    return render(request, crf_type.template, {
        **context, "form": form, "crf": crf_type, "warnings": warnings, "instance": shown,
        "review": panel, "can_edit": can_edit, "readonly_reason": readonly_reason, "draft_key": request.path,
        "readonly_values": _readonly_values(form, shown) if not can_edit else [],
        "form_panels": extensions.render_panels(extensions.CRF_FORM_PANELS, request, shown) if shown else [],
        "explain": crf_type.explain(shown) if (crf_type.explain and shown) else [], "back": back})


def _readonly_values(form, shown) -> list[tuple[str, str, str]]:
    """(name, label, value as the reader sees it) for a form shown read-only: text, not inputs."""
    out = []
    for name, field in form.fields.items():
        if name == "reason_for_change":
            continue
        value = display_value(shown, name) if shown is not None else "—"
        out.append((name, str(field.label or name), value))
    return out


@allow(roles.SITE_STAFF)
@require_http_methods(["GET", "POST"])
def visit_crf(request, visit_pk, key):
    visit = get_visit_for(request.user, visit_pk)
    crf_type = _crf_type(key, log=False)
    if key not in BY_CODE[visit.code].crfs and not crf_type.any_visit:
        raise Http404
    instance = crf_type.model.objects.filter(visit=visit).first() or crf_type.model(
        participant=visit.participant, visit=visit)
    return _handle(request, crf_type, instance, visit=visit,
                   back=f"/visits/{visit.pk}/", context={"visit": visit, "p": visit.participant})


@allow(roles.SITE_STAFF)
@require_http_methods(["GET", "POST"])
def log_crf(request, pk, key, row_pk=None):
    participant = get_participant_for(request.user, pk)
    crf_type = _crf_type(key, log=True)
    rows = crf_type.model.objects.filter(participant=participant).order_by("-created_at")
    if row_pk is None:
        instance = crf_type.model(participant=participant)
    else:
        instance = get_object_or_404(rows, pk=row_pk)
    return _handle(request, crf_type, instance, visit=None,
                   back=f"/participants/{participant.pk}/log/{key}/",
                   context={"p": participant, "rows": rows, "log": True})
