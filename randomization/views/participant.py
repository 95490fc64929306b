"""Randomize and emergency unblinding, from the participant page (investigators)."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from edc import roles
from edc.access import allow
from edc.selectors.participants import get_participant_for
from edc.services.grants import holds_code_break
from edc.views.helpers import attach_errors
from randomization.blinding import arm_label_for
from randomization.forms import RandomizeForm, UnblindingForm, UnblindingRequestForm
from randomization.services.randomize import randomize as randomize_participant
from randomization.services.unblinding import emergency_unblind, request_unblinding
from randomization.unblinding_pdf import UnblindingRecord, unblinding_record_pdf


@allow(roles.INVESTIGATORS)
@require_http_methods(["GET", "POST"])
def randomize(request, pk):
    p = get_participant_for(request.user, pk)
    form = RandomizeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            r = randomize_participant(p, user=request.user)
        except ValidationError as e:
            attach_errors(form, e)
        else:
            messages.success(request, _("Randomized. Blind code: %(c)s") % {"c": r.blind_code})
            return redirect("participant_detail", pk=p.pk)
    return render(request, "randomization/randomize.html", {"p": p, "form": form})


@allow(roles.INVESTIGATORS)
@require_http_methods(["GET", "POST"])
def unblind(request, pk):
    """The code break for a holder of the code-break permission; anyone else is pointed to a request."""
    p = get_participant_for(request.user, pk)
    if not holds_code_break(request.user):  # refused here and again in the service
        return render(request, "randomization/unblind.html", {"p": p, "form": None},
                      status=403 if request.method == "POST" else 200)
    form = UnblindingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            record = emergency_unblind(p, user=request.user, **form.cleaned_data)
        except ValidationError as e:
            attach_errors(form, e)
        else:
            if not record.revealed_to_requester:
                messages.success(request, _("The allocation was e-mailed to %(name)s; it is not shown to "
                                            "you.") % {"name": record.reveal_to_name})
            return redirect("unblinding_result", pk=p.pk)
    return render(request, "randomization/unblind.html", {"p": p, "form": form})


@allow(roles.INVESTIGATORS)
@require_http_methods(["GET", "POST"])
def unblinding_request(request, pk):
    p = get_participant_for(request.user, pk)
    form = UnblindingRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            request_unblinding(p, user=request.user, **form.cleaned_data)
        except ValidationError as e:
            attach_errors(form, e)
        else:
            messages.success(request, _("Your request was sent: the principal investigator has been "
                                        "alerted in the EDC and by e-mail."))
            return redirect("participant_detail", pk=p.pk)
    return render(request, "randomization/unblinding_request.html", {
        "p": p, "form": form, "requests": p.unblinding_requests.select_related("requested_by")})


@allow(roles.INVESTIGATORS | roles.UNBLINDED_ROLES)
def unblinding_result(request, pk):
    p = get_participant_for(request.user, pk)
    record = getattr(p, "emergency_unblinding", None)
    if record is None:
        raise Http404
    deliveries = [(n, d) for n in record_notifications(record) for d in n.deliveries.all()]
    return render(request, "randomization/unblinding_result.html", {
        "p": p, "record": record, "arm": arm_label_for(request.user, p, "unblinding record page"),
        "deliveries": deliveries})


def record_notifications(record):
    from edc.models import Notification
    # recipient_user: the PDF names an in-app-only recipient by user (one query, not one per recipient)
    # the sponsor/CRO/PI notices; the third-party e-mail (unblinding-reveal:…) holds the arm and is
    # listed by its delivery only, never its body
    return (Notification.objects.filter(Q(dedupe_key__startswith=f"unblinding:{record.pk}:")
                                        | Q(dedupe_key__startswith=f"unblinding-reveal:{record.pk}:"))
            .select_related("recipient_user").prefetch_related("deliveries"))


@allow(roles.INVESTIGATORS | roles.UNBLINDED_ROLES)
def unblinding_record(request, pk):
    """One-page PDF for the source documents / EMR (protocol 2.8)."""
    p = get_participant_for(request.user, pk)
    record = getattr(p, "emergency_unblinding", None)
    if record is None:
        raise Http404
    fmt = "%Y-%m-%d %H:%M"
    notified = [f"{n.recipient_label} <{n.recipient_email or n.recipient_user}> — {d.get_channel_display()}: "
                f"{d.get_status_display()}" for n in record_notifications(record) for d in n.deliveries.all()]
    pdf = unblinding_record_pdf(UnblindingRecord(
        participant_code=p.participant_code, blind_code=p.randomization.blind_code, site_name=p.site.name,
        requested_by=record.requested_by.printed_name,
        requested_at=timezone.localtime(record.requested_at).strftime(fmt), reason=record.reason,
        arm_label=arm_label_for(request.user, p, "unblinding record PDF"),
        notified=notified, printed_at=timezone.localtime().strftime(fmt),
        printed_by=request.user.printed_name))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="unblinding-{p.participant_code}.pdf"'
    return response
