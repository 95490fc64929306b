"""Pharmacy (unblinded pharmacist): worklist, bag preparation, bag label PDF."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from edc import roles
from edc.access import allow
from edc.edit_checks import SoftWarnings
from edc.selectors.participants import get_participant_for
from edc.views.helpers import attach_errors
from randomization.blinding import arm_label_for
from randomization.forms import BagForm
from randomization.labels import BagLabel, bag_label_pdf
from randomization.models import BagPreparation
from randomization.selectors import pharmacy_worklist
from randomization.services.bag_rules import latest_vitals_weight
from randomization.services.pharmacy import record_bag

PHARMACY = {roles.PHARMACIST}
INFUSIONS = dict(BagPreparation.Infusion.choices)


@allow(PHARMACY)
def worklist(request):
    return render(request, "randomization/pharmacy.html", {"tasks": pharmacy_worklist(request.user)})


def _participant_and_infusion(request, pk, infusion):
    if infusion not in INFUSIONS:
        raise Http404
    p = get_participant_for(request.user, pk)
    if not hasattr(p, "randomization"):
        raise Http404
    return p


@allow(PHARMACY)
@require_http_methods(["GET", "POST"])
def prepare(request, pk, infusion):
    p = _participant_and_infusion(request, pk, infusion)
    bag = p.bags.filter(infusion=infusion).select_related("prepared_by", "checked_by").first()
    if bag is not None:  # prepared already: the page shows the record (a second bag is refused by the service)
        if request.method == "POST":
            messages.error(request, _("This bag is already prepared; nothing was changed."))
        return render(request, "randomization/prepare.html", {
            "p": p, "bag": bag, "infusion": INFUSIONS[infusion], "infusion_code": infusion,
            "arm": arm_label_for(request.user, p), "blind_code": p.randomization.blind_code,
            "expires_at": bag.expires_at})
    weight = latest_vitals_weight(p, timezone.localdate())
    form = BagForm(request.POST or None, initial={"body_weight_kg": weight[0] if weight else None})
    warnings = []
    if request.method == "POST" and form.is_valid():
        try:
            bag = record_bag(p, user=request.user, infusion=infusion,
                             acknowledge=bool(request.POST.get("acknowledge")), **form.cleaned_data)
        except SoftWarnings as soft:
            warnings = soft.warnings
        except ValidationError as e:
            attach_errors(form, e)
        else:
            messages.success(request, _("Bag prepared for %(c)s.") % {"c": p.randomization.blind_code})
            if bag.cells_per_kg is not None:
                messages.info(request, _("Dose prepared: %(d)s ×10⁶ cells/kg.") % {"d": bag.cells_per_kg})
            return redirect("pharmacy_worklist")
    return render(request, "randomization/prepare.html", {
        "p": p, "form": form, "infusion": INFUSIONS[infusion], "warnings": warnings, "weight": weight,
        "arm": arm_label_for(request.user, p), "blind_code": p.randomization.blind_code})


@allow(PHARMACY)
def label(request, pk, infusion):
    p = _participant_and_infusion(request, pk, infusion)
    bag = p.bags.filter(infusion=infusion).select_related("prepared_by", "checked_by").first()
    if bag is None:
        raise Http404
    fmt = "%Y-%m-%d %H:%M"
    pdf = bag_label_pdf(BagLabel(
        participant_code=p.participant_code, blind_code=p.randomization.blind_code,
        infusion="month 0" if infusion == "m0" else "month 6", site_name=p.site.name,
        prepared_at=timezone.localtime(bag.prepared_at).strftime(fmt),
        prepared_by=bag.prepared_by.printed_name, checked_by=bag.checked_by.printed_name,
        expires_at=timezone.localtime(bag.expires_at).strftime(fmt)))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="label-{p.participant_code}-{infusion}.pdf"'
    return response
