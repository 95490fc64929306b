"""Randomize and emergency unblinding, from the participant page (investigators)."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from edc import roles
from edc.access import allow
from edc.selectors.participants import get_participant_for
from edc.views.helpers import attach_errors
from randomization.blinding import arm_label_for, may_see_arm
from randomization.forms import RandomizeForm, UnblindingForm
from randomization.services.randomize import randomize as randomize_participant
from randomization.services.unblinding import emergency_unblind
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
    p = get_participant_for(request.user, pk)
    form = UnblindingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            emergency_unblind(p, user=request.user, **form.cleaned_data)
        except ValidationError as e:
            attach_errors(form, e)
        else:
            return redirect("unblinding_result", pk=p.pk)
    return render(request, "randomization/unblind.html", {"p": p, "form": form})


@allow(roles.INVESTIGATORS | roles.UNBLINDED_ROLES)
def unblinding_result(request, pk):
    p = get_participant_for(request.user, pk)
    record = getattr(p, "emergency_unblinding", None)
    if record is None:
        raise Http404
    deliveries = [(n, d) for n in record_notifications(record) for d in n.deliveries.all()]
    return render(request, "randomization/unblinding_result.html", {
        "p": p, "record": record, "arm": arm_label_for(request.user, p), "deliveries": deliveries})


def record_notifications(record):
    from edc.models import Notification
    # recipient_user: the PDF names an in-app-only recipient by user (one query, not one per recipient)
    return (Notification.objects.filter(dedupe_key__startswith=f"unblinding:{record.pk}:")
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
        arm_label=arm_label_for(request.user, p) if may_see_arm(request.user, p) else None,
        notified=notified, printed_at=timezone.localtime().strftime(fmt),
        printed_by=request.user.printed_name))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="unblinding-{p.participant_code}.pdf"'
    return response
