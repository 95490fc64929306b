"""Rules of a prepared bag (protocol 2.5.2, 2.8), in one place for the pharmacy and the ward:

* dose: the prepared cell count against 1×10⁶ cells/kg for the weight it was prepared for; outside
  ±10 % a warning the pharmacist acknowledges, outside ±50 % refused (settings BAG_DOSE_*);
* weight: the weight typed for the dose against the participant's latest vital signs (±10 %, the
  plausibility table's weight delta rule);
* lead time: a bag is prepared at most BAG_LEAD_DAYS before its infusion visit's window opens;
* shelf life: a prepared suspension is infused within BAG_SHELF_LIFE_HOURS (label expiry, the
  infusion form refuses a later start and warns within BAG_EXPIRY_WARNING_MINUTES of it).
docs/DATA_QUALITY.md "The cell-therapy bag" states the numbers."""
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.apps import apps
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from edc.clinical.dosing import MSC_CELLS_PER_KG
from edc.clinical.plausibility import QUANTITIES
from edc.edit_checks import SoftWarning


def shelf_life() -> timedelta:
    return timedelta(hours=settings.BAG_SHELF_LIFE_HOURS)


def expires_at(prepared_at):
    return prepared_at + shelf_life()


def cells_per_kg(cell_count: int | None, weight_kg) -> Decimal | None:
    """The dose actually prepared, in 10⁶ cells/kg (protocol: 1.00)."""
    if not cell_count or not weight_kg:
        return None
    return (Decimal(cell_count) / Decimal(weight_kg) / MSC_CELLS_PER_KG).quantize(Decimal("0.01"))


def dose_check(cell_count: int, weight_kg, dose: int) -> tuple[str | None, str]:
    deviation = Decimal(cell_count) / Decimal(dose) - 1
    per_kg = cells_per_kg(cell_count, weight_kg)
    values = {"count": f"{cell_count:,}", "per_kg": per_kg, "dose": f"{dose:,}", "w": weight_kg,
              "pct": f"{deviation * 100:+.0f}"}
    if abs(deviation) > Decimal(str(settings.BAG_DOSE_HARD_FRACTION)):
        return "hard", _("%(count)s cells is %(per_kg)s ×10⁶ cells/kg (%(pct)s %% against %(dose)s for "
                         "%(w)s kg; protocol 2.5.2: 1×10⁶ cells/kg). More than 50 %% off: do not release "
                         "this bag; check the count and its unit.") % values
    if abs(deviation) > Decimal(str(settings.BAG_DOSE_SOFT_FRACTION)):
        return "soft", _("%(count)s cells is %(per_kg)s ×10⁶ cells/kg (%(pct)s %% against %(dose)s for "
                         "%(w)s kg; protocol 2.5.2: 1×10⁶ cells/kg, more than 10 %% off).") % values
    return None, ""


def dose_warning(message: str) -> SoftWarning:
    return SoftWarning("dose_off_target", message, "cell_count")


def latest_vitals_weight(participant, on):
    """The latest vital-signs weight measured on or before `on` (the eCRFs depend on this app, not
    the other way round: the model is looked up by name)."""
    vitals = apps.get_model("crf", "VitalSigns")
    return (vitals.objects.filter(participant=participant, measured_on__lte=on, weight_kg__isnull=False)
            .order_by("-measured_on").values_list("weight_kg", "measured_on").first())


def _local_day(participant, moment):
    return timezone.localtime(moment, ZoneInfo(participant.site.timezone)).date()


def weight_warnings(participant, weight_kg, prepared_at) -> list[SoftWarning]:
    if weight_kg is None or prepared_at is None:
        return []
    found = latest_vitals_weight(participant, _local_day(participant, prepared_at))
    limit = Decimal(str(QUANTITIES["weight"].delta_fraction))
    if found is None or abs(Decimal(weight_kg) / found[0] - 1) <= limit:
        return []
    return [SoftWarning("weight_not_current", _(
        "The dose is computed for %(w)s kg, but the participant weighed %(v)s kg on %(d)s (more than "
        "10 %% apart): use the current weight.") % {"w": weight_kg, "v": found[0], "d": found[1]},
        "body_weight_kg")]


def lead_time_error(participant, infusion: str, prepared_at) -> str | None:
    visit = participant.visits.filter(code=infusion).only("window_start").first()
    if visit is None:
        return None
    earliest = visit.window_start - timedelta(days=settings.BAG_LEAD_DAYS)
    if _local_day(participant, prepared_at) >= earliest:
        return None
    return _("This bag can be prepared from %(d)s (%(n)d day(s) before its visit window opens): a prepared "
             "suspension keeps %(h)d hours.") % {"d": earliest.isoformat(), "n": settings.BAG_LEAD_DAYS,
                                                 "h": settings.BAG_SHELF_LIFE_HOURS}


def expired_at_start(bag, started_at) -> bool:
    """An infusion may not start after the bag's expiry."""
    return bag is not None and started_at is not None and started_at > expires_at(bag.prepared_at)


def infusion_close_to_expiry(bag, started_at) -> bool:
    if bag is None or started_at is None:
        return False
    left = expires_at(bag.prepared_at) - started_at
    return timedelta(0) <= left < timedelta(minutes=settings.BAG_EXPIRY_WARNING_MINUTES)
