"""Pharmacy (protocol 2.8, unblinded pharmacist): prepare the bag for a blind code at month 0 and 6.

Dose: 1×10^6 cells/kg body weight (protocol 1.3), computed by edc.clinical.dosing."""
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from edc.access import has_any_role
from edc.audit import save_created
from edc.clinical.dosing import msc_total_cells
from edc.roles import PHARMACIST
from randomization.blinding import arm_code_for
from randomization.models import Arm, BagPreparation

MIN_VIABILITY = Decimal("70")  # release criterion for cell products; below it the bag is refused


def record_bag(participant, *, user, infusion: str, body_weight_kg: Decimal, product_lot: str,
               cell_count: int | None, viability_pct: Decimal | None, prepared_at,
               checked_by) -> BagPreparation:
    if not has_any_role(user, {PHARMACIST}):
        raise ValidationError(_("Only the pharmacist prepares bags."))
    randomization = getattr(participant, "randomization", None)
    if randomization is None:
        raise ValidationError(_("The participant is not randomized."))
    errors = {}
    try:
        dose = msc_total_cells(float(body_weight_kg))
    except (ValueError, TypeError) as e:
        errors["body_weight_kg"] = _("Check the body weight: %(e)s") % {"e": e}
        dose = 0
    if checked_by == user:
        errors["checked_by"] = _("The bag is checked by a second person.")
    if prepared_at > timezone.now():
        errors["prepared_at"] = _("The preparation time cannot be in the future.")
    elif prepared_at < randomization.randomized_at.replace(second=0, microsecond=0):  # form: minutes
        errors["prepared_at"] = _("The bag cannot be prepared before the participant was randomized.")
    if arm_code_for(user, participant) == Arm.MSC:  # the pharmacist is unblinded (randomization.blinding)
        if not cell_count or cell_count <= 0:
            errors["cell_count"] = _("Enter the cell count of the bag.")
        if viability_pct is None or not (0 <= viability_pct <= 100):
            errors["viability_pct"] = _("Enter the viability as a percentage.")
        elif viability_pct < MIN_VIABILITY:
            errors["viability_pct"] = _("Viability below %(v)s%%: do not release this bag.") % {
                "v": MIN_VIABILITY}
    else:
        cell_count, viability_pct = None, None  # placebo: normal saline, no cells
    if infusion == BagPreparation.Infusion.MONTH6 and not participant.bags.filter(
            infusion=BagPreparation.Infusion.MONTH0).exists():
        errors["infusion"] = _("Prepare the month 0 bag first.")
    if participant.bags.filter(infusion=infusion).exists():
        errors["infusion"] = _("This infusion's bag is already prepared.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        return save_created(BagPreparation(
            participant=participant, infusion=infusion, body_weight_kg=body_weight_kg, dose_cells=dose,
            product_lot=product_lot.strip(), cell_count=cell_count, viability_pct=viability_pct,
            prepared_by=user, prepared_at=prepared_at, checked_by=checked_by), user)
