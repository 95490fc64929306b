"""A visit: its window, status, date or reason missed, and the forms due."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from crf.forms import MissedForm, VisitDateForm
from crf.schedule import BY_CODE
from crf.selectors import crf_instances, crfs_due, crfs_optional, get_visit_for
from crf.services.visits import record_missed, record_visit_date
from crf.status import visit_status
from edc import roles
from edc.access import allow, has_any_role
from edc.sites import site_today
from edc.views.helpers import attach_errors


def _status(visit, today):
    return visit_status(visit_date=visit.visit_date, missed_reason=visit.missed_reason,
                        not_applicable=visit.not_applicable, window_start=visit.window_start,
                        window_end=visit.window_end, today=today)


@allow(roles.SITE_STAFF)
@require_http_methods(["GET", "POST"])
def visit_detail(request, visit_pk):
    visit = get_visit_for(request.user, visit_pk)
    can_enter = has_any_role(request.user, roles.DATA_ENTRY)
    date_form = VisitDateForm(request.POST if "visit_date" in request.POST else None,
                              initial={"visit_date": visit.visit_date})
    missed_form = MissedForm(request.POST if "missed_reason" in request.POST else None)
    if request.method == "POST" and can_enter:
        form, action = ((date_form, lambda d: record_visit_date(visit, user=request.user, **{
            "visit_date": d["visit_date"], "reason": d["reason_for_change"]}))
            if "visit_date" in request.POST else
            (missed_form, lambda d: record_missed(visit, user=request.user, reason=d["missed_reason"])))
        if form.is_valid():
            try:
                action(form.cleaned_data)
            except ValidationError as e:
                attach_errors(form, e)
            else:
                messages.success(request, _("Visit saved."))
                return redirect("visit_detail", visit_pk=visit.pk)
    elif request.method == "POST":
        return redirect("visit_detail", visit_pk=visit.pk)
    saved = crf_instances(visit)
    forms_due = [(t, saved.get(t.key)) for t in crfs_due(visit)]
    forms_optional = [(t, saved.get(t.key)) for t in crfs_optional(visit)]
    return render(request, "crf/visit_detail.html", {
        "visit": visit, "p": visit.participant, "definition": BY_CODE[visit.code],
        "status": _status(visit, site_today(visit.participant.site)), "forms_due": forms_due,
        "forms_optional": forms_optional,
        "date_form": date_form, "missed_form": missed_form, "can_enter": can_enter})
