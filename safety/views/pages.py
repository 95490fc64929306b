"""Safety pages (thin: parse, call a service or selector, render)."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from edc import roles
from edc.access import allow, has_any_role
from edc.models import Notification
from edc.selectors.participants import get_participant_for
from edc.views.helpers import attach_errors
from safety.forms import (
    COMMON_TERMS,
    AdverseEventEditForm,
    AdverseEventForm,
    FollowUpForm,
    MeetObligationForm,
    OpenSaeForm,
)
from safety.models import SaeObligation
from safety.selectors import ae_listing, alert_log, get_ae_for, get_case_for, grade_by_soc, open_cases
from safety.services import adverse_events as ae_svc
from safety.services.obligations import meet_obligation
from safety.services.prompts import discontinuation_prompt
from safety.services.undelivered import undelivered

SAFETY_VIEWERS = roles.SITE_STAFF


@allow(SAFETY_VIEWERS)
def dashboard(request):
    aes = list(ae_listing(request.user))
    grades, soc_rows = grade_by_soc(aes)
    inbox = Notification.objects.filter(recipient_user=request.user, kind="sae").order_by("-created_at")[:20]
    return render(request, "safety/dashboard.html", {
        "now": timezone.now(), "cases": open_cases(request.user), "aes": aes, "grades": grades,
        "soc_rows": soc_rows, "inbox": inbox, "undelivered": undelivered()})


@allow(roles.DATA_ENTRY)
@require_http_methods(["GET", "POST"])
def ae_new(request, pk):
    p = get_participant_for(request.user, pk)
    form = AdverseEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            ae = ae_svc.record_ae(p, user=request.user, aware_at=data.pop("aware_at"),
                                  narrative=data.pop("narrative"), **data)
        except ValidationError as e:
            attach_errors(form, e)
        else:
            messages.success(request, _("Adverse event recorded."))
            prompt = discontinuation_prompt(ae)
            if prompt:
                messages.warning(request, prompt)
            if hasattr(ae, "sae"):
                return redirect("sae_detail", sae_pk=ae.sae.pk)
            return redirect("ae_detail", ae_pk=ae.pk)
    return render(request, "safety/ae_form.html", {"form": form, "p": p, "terms": COMMON_TERMS})


@allow(SAFETY_VIEWERS)
@require_http_methods(["GET", "POST"])
def ae_detail(request, ae_pk):
    ae = get_ae_for(request.user, ae_pk)
    can_edit = has_any_role(request.user, roles.DATA_ENTRY)
    form = AdverseEventEditForm(request.POST or None, instance=ae) if can_edit else None
    open_form = OpenSaeForm(request.POST if "open_sae" in request.POST else None)
    if request.method == "POST" and can_edit:
        if "open_sae" in request.POST:
            if open_form.is_valid():
                try:
                    case = ae_svc.open_sae_case(get_ae_for(request.user, ae_pk), user=request.user,
                                                **open_form.cleaned_data)
                except ValidationError as e:
                    attach_errors(open_form, e)
                else:
                    return redirect("sae_detail", sae_pk=case.pk)
        elif form.is_valid():
            data = dict(form.cleaned_data)
            reason = data.pop("reason_for_change")
            try:
                ae_svc.update_ae(get_ae_for(request.user, ae_pk), user=request.user, reason=reason, **data)
            except ValidationError as e:
                attach_errors(form, e)
            else:
                messages.success(request, _("Saved."))
                return redirect("ae_detail", ae_pk=ae.pk)
    return render(request, "safety/ae_detail.html", {
        "ae": ae, "p": ae.participant, "form": form, "open_form": open_form, "terms": COMMON_TERMS,
        "case": getattr(ae, "sae", None)})


@allow(SAFETY_VIEWERS)
@require_http_methods(["GET", "POST"])
def sae_detail(request, sae_pk):
    case = get_case_for(request.user, sae_pk)
    can_edit = has_any_role(request.user, roles.DATA_ENTRY)
    follow_form = FollowUpForm(request.POST if "content" in request.POST else None)
    if request.method == "POST" and can_edit and follow_form.is_valid():
        try:
            ae_svc.add_follow_up(case, user=request.user, **follow_form.cleaned_data)
        except ValidationError as e:
            attach_errors(follow_form, e)
        else:
            messages.success(request, _("Follow-up report added."))
            return redirect("sae_detail", sae_pk=case.pk)
    obligations = case.obligations.select_related("policy", "met_by").order_by("due_at")
    return render(request, "safety/sae_detail.html", {
        "now": timezone.now(), "case": case, "ae": case.adverse_event, "p": case.participant,
        "obligations": obligations,
        "reports": case.reports.select_related("reporter"), "follow_form": follow_form,
        "meet_form": MeetObligationForm(), "can_edit": can_edit, "alerts": alert_log(case)})


@allow(roles.DATA_ENTRY)
@require_POST
def obligation_meet(request, obligation_pk):
    obligation = get_object_or_404(SaeObligation.objects.filter(case__participant__site__staff=request.user),
                                   pk=obligation_pk)
    form = MeetObligationForm(request.POST)
    if form.is_valid():
        try:
            meet_obligation(obligation, user=request.user, **form.cleaned_data)
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _("Recorded: %(o)s.") % {"o": obligation.policy.label})
    else:
        messages.error(request, " ".join(str(m) for errs in form.errors.values() for m in errs))
    return redirect("sae_detail", sae_pk=obligation.case_id)
