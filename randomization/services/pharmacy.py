"""Pharmacy (protocol 2.8, unblinded pharmacist): prepare the bag for a blind code at month 0 and 6.

Dose: 1×10⁶ cells/kg body weight (protocol 2.5.2), computed by edc.clinical.dosing; the prepared cell
count is checked against it (randomization.services.bag_rules). The second pharmacist confirms with
their own user name and password (and authenticator code when they have one): a four-eyes check that
cannot be made by picking a colleague from a list."""
import logging
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from edc.access import has_any_role
from edc.audit import save_created
from edc.clinical.dosing import msc_total_cells
from edc.edit_checks import SoftWarnings
from edc.models import User
from edc.roles import PHARMACIST
from edc.services import plausibility
from randomization.blinding import arm_code_for
from randomization.models import Arm, BagPreparation
from randomization.services import bag_rules

log = logging.getLogger("edc.pharmacy")

MIN_VIABILITY = Decimal("70")  # release criterion for cell products; below it the bag is refused


def second_pharmacist(user, site, *, username: str, password: str, otp: str = "") -> User:
    """The pharmacist who checks the bag, authenticated here by their own credentials. One message for
    every wrong combination, so the form does not tell which user names exist."""
    wrong = ValidationError({"checker_password": _(
        "The second pharmacist's user name or password is not correct.")})
    checker = User.objects.filter(username=(username or "").strip(), is_active=True).first()
    if checker is None or not password or not checker.check_password(password):
        log.warning("bag check: wrong second-pharmacist credentials for %r (by %s)", username, user.username)
        raise wrong
    if checker.pk == user.pk:
        raise ValidationError({"checker_username": _(
            "The bag is checked by a second pharmacist, not by the one who prepared it.")})
    if not has_any_role(checker, {PHARMACIST}) or not checker.sites.filter(pk=site.pk).exists():
        raise ValidationError({"checker_username": _("The second person must be a pharmacist of this site.")})
    from edc.services.two_factor import check_code, confirmed_device  # django-otp models: import late

    device = confirmed_device(checker)
    if device is not None:
        if not (otp or "").strip():
            raise ValidationError({"checker_otp": _("The second pharmacist has an authenticator: enter "
                                                    "its 6-digit code.")})
        try:
            check_code(checker, device, otp.strip())
        except ValidationError as e:
            raise ValidationError({"checker_otp": e.messages}) from None
    return checker


def record_bag(participant, *, user, infusion: str, body_weight_kg: Decimal, product_lot: str,
               cell_count: int | None, viability_pct: Decimal | None, prepared_at, checker_username: str,
               checker_password: str, checker_otp: str = "", acknowledge: bool = False) -> BagPreparation:
    if not has_any_role(user, {PHARMACIST}):
        raise ValidationError(_("Only the pharmacist prepares bags."))
    randomization = getattr(participant, "randomization", None)
    if randomization is None:
        raise ValidationError(_("The participant is not randomized."))
    errors, warnings = {}, []
    weight_error, weight_warning = plausibility.check_value("bag", "body_weight_kg", body_weight_kg)
    try:
        dose = msc_total_cells(float(body_weight_kg))
    except (ValueError, TypeError) as e:
        errors["body_weight_kg"] = weight_error or _("Check the body weight: %(e)s") % {"e": e}
        dose = 0
    if weight_warning:
        warnings.append(weight_warning)
    warnings.extend(bag_rules.weight_warnings(participant, body_weight_kg, prepared_at))
    if prepared_at > timezone.now():
        errors["prepared_at"] = _("The preparation time cannot be in the future.")
    elif prepared_at < randomization.randomized_at.replace(second=0, microsecond=0):  # form: minutes
        errors["prepared_at"] = _("The bag cannot be prepared before the participant was randomized.")
    else:
        lead_error = bag_rules.lead_time_error(participant, infusion, prepared_at)
        if lead_error:
            errors["prepared_at"] = lead_error
    if arm_code_for(user, participant) == Arm.MSC:  # the pharmacist is unblinded (randomization.blinding)
        count_error, _count_warning = plausibility.check_value("bag", "cell_count", cell_count)
        if not cell_count or cell_count <= 0:
            errors["cell_count"] = _("Enter the cell count of the bag.")
        elif count_error:  # "62.5": a count typed in 10⁶ cells
            errors["cell_count"] = count_error
        elif dose:
            level, message = bag_rules.dose_check(cell_count, body_weight_kg, dose)
            if level == "hard":
                errors["cell_count"] = message
            elif level == "soft":
                warnings.append(bag_rules.dose_warning(message))
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
    # Credentials last: a bag the rules refuse never costs the checker a throttled attempt.
    checker = second_pharmacist(user, participant.site, username=checker_username,
                                password=checker_password, otp=checker_otp)
    if warnings and not acknowledge:
        raise SoftWarnings(warnings)
    with transaction.atomic():
        return save_created(BagPreparation(
            participant=participant, infusion=infusion, body_weight_kg=body_weight_kg, dose_cells=dose,
            product_lot=product_lot.strip(), cell_count=cell_count, viability_pct=viability_pct,
            prepared_by=user, prepared_at=prepared_at, checked_by=checker,
            soft_warnings=[w.as_dict() for w in warnings]), user)
