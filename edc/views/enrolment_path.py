"""Screening -> consent -> eligibility -> enrolment (protocol 2.2-2.4), one page per step."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from edc import roles
from edc.access import allow
from edc.edit_checks import SoftWarnings
from edc.forms.screening import (
    ConsentEditForm,
    ConsentForm,
    EligibilityEditForm,
    EligibilityForm,
    EnrolmentForm,
    ScreenFailureForm,
    ScreeningEditForm,
    ScreeningForm,
)
from edc.selectors.participants import get_participant_for
from edc.services import consent as consent_svc
from edc.services import eligibility as eligibility_svc
from edc.services import enrolment as enrolment_svc
from edc.services import screening as screening_svc

from .helpers import attach_errors


def _step(request, form, template, context, action):
    """Run `action(form)` for a valid form; on a service error show it and save nothing."""
    if request.method == "POST" and form.is_valid():
        try:
            result = action(form.cleaned_data)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            if result is not None:  # None: the action put soft warnings in the context to show
                return result
    return render(request, template, {**context, "form": form})


@allow(roles.DATA_ENTRY)
@require_http_methods(["GET", "POST"])
def screening_new(request):
    form = ScreeningForm(request.POST or None, user=request.user)

    def save(data):
        p = screening_svc.screen_participant(user=request.user, **data)
        messages.success(request, _("Screening %(n)s added.") % {"n": p.screening_number})
        return redirect("participant_detail", pk=p.pk)

    return _step(request, form, "edc/form.html", {"title": _("New screening")}, save)


@allow(roles.DATA_ENTRY)
@require_http_methods(["GET", "POST"])
def screening_edit(request, pk):
    p = get_participant_for(request.user, pk)
    initial = {f: getattr(p, f) for f in ("screening_number", "screening_date", "initials",
                                           "date_of_birth", "sex")}
    form = ScreeningEditForm(request.POST or None, initial=initial)

    def save(data):
        reason = data.pop("reason_for_change")
        changed = screening_svc.update_screening(p, user=request.user, reason=reason, **data)
        messages.success(request, _("Saved.") if changed else _("Nothing changed."))
        return redirect("participant_detail", pk=p.pk)

    return _step(request, form, "edc/form.html",
                 {"title": _("Correct screening"), "p": p}, save)


@allow(roles.INVESTIGATORS)
@require_http_methods(["GET", "POST"])
def consent_new(request, pk):
    p = get_participant_for(request.user, pk)
    form = ConsentForm(request.POST or None, participant=p,
                       initial={"kind": request.GET.get("kind", "main"),
                                "obtained_by": request.user.pk})

    def save(data):
        consent_svc.record_consent(p, user=request.user, **data)
        messages.success(request, _("Consent recorded."))
        return redirect("participant_detail", pk=p.pk)

    return _step(request, form, "edc/form.html", {"title": _("Record informed consent"), "p": p}, save)


@allow(roles.INVESTIGATORS)
@require_http_methods(["GET", "POST"])
def consent_edit(request, pk, consent_pk):
    p = get_participant_for(request.user, pk)
    consent = get_object_or_404(p.consents, pk=consent_pk)
    form = ConsentEditForm(request.POST or None, participant=p, initial={
        "form_version": consent.form_version, "consented_at": consent.consented_at,
        "obtained_by": consent.obtained_by_id})

    def save(data):
        reason = data.pop("reason_for_change")
        changed = consent_svc.update_consent(consent, user=request.user, reason=reason, **data)
        messages.success(request, _("Saved.") if changed else _("Nothing changed."))
        return redirect("participant_detail", pk=p.pk)

    return _step(request, form, "edc/form.html",
                 {"title": _("Correct consent: %(k)s") % {"k": consent.get_kind_display()}, "p": p},
                 save)


@allow(roles.INVESTIGATORS)
@require_http_methods(["GET", "POST"])
def eligibility_form(request, pk):
    p = get_participant_for(request.user, pk)
    existing = getattr(p, "eligibility", None)
    if existing is None and not consent_svc.has_main_consent(p):
        messages.error(request, _("Record the main informed consent before any eligibility data "
                                  "(protocol 2.3)."))
        return redirect("participant_detail", pk=p.pk)
    if existing is None:
        form = EligibilityForm(request.POST or None)
    else:
        form = EligibilityEditForm(request.POST or None, instance=existing)

    context = {"title": _("Eligibility (protocol 2.2)"), "p": p, "existing": existing, "warnings": []}

    def save(data):
        acknowledge = bool(request.POST.get("acknowledge"))
        try:
            if existing is None:
                a = eligibility_svc.record_eligibility(p, user=request.user, acknowledge=acknowledge, **data)
            else:
                reason = data.pop("reason_for_change")
                eligibility_svc.update_eligibility(existing, user=request.user, reason=reason,
                                                   acknowledge=acknowledge, **data)
                a = existing
        except SoftWarnings as soft:
            context["warnings"] = soft.warnings
            return None
        if a.eligible:
            messages.success(request, _("Eligible: all criteria met."))
        else:
            messages.warning(request, _("Not eligible: recorded as a screen failure."))
        return redirect("participant_detail", pk=p.pk)

    return _step(request, form, "edc/eligibility_form.html", context, save)


@allow(roles.INVESTIGATORS)
@require_http_methods(["GET", "POST"])
def enrol(request, pk):
    p = get_participant_for(request.user, pk)
    form = EnrolmentForm(request.POST or None)

    def save(data):
        enrolled = enrolment_svc.enrol_participant(p, user=request.user, **data)
        messages.success(request, _("Enrolled as %(id)s.") % {"id": enrolled.participant_code})
        return redirect("participant_detail", pk=p.pk)

    return _step(request, form, "edc/form.html", {"title": _("Enrol"), "p": p}, save)


@allow(roles.INVESTIGATORS)
@require_http_methods(["GET", "POST"])
def screen_failure(request, pk):
    p = get_participant_for(request.user, pk)
    form = ScreenFailureForm(request.POST or None)

    def save(data):
        screening_svc.record_screen_failure(p, user=request.user, **data)
        messages.success(request, _("Recorded as a screen failure."))
        return redirect("participant_detail", pk=p.pk)

    return _step(request, form, "edc/form.html", {"title": _("Screen failure"), "p": p}, save)
