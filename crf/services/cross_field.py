"""Cross-field soft checks shared by several eCRFs: the date a value was measured on should fall inside
its visit's window (crf.schedule; docs/DATA_QUALITY.md "Cross-field rules"). Start-before-end and
systolic-above-diastolic are hard checks of the forms that have those fields."""
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _

from edc.edit_checks import SoftWarning

# form key -> the field holding the day the values were measured (a date or a date-time).
MEASURED_ON: dict[str, str] = {"labs": "sample_date", "vitals": "measured_on", "pregnancy": "test_date",
                               "infusion": "started_at"}
# Month 0's window opens on the randomization day, but its baseline samples and tests are often taken
# during screening: for month 0 the accepted period starts on the screening date.
BASELINE_VISIT = "m0"


def _day(instance, name: str):
    value = getattr(instance, name, None)
    if value is None or not hasattr(value, "tzinfo"):
        return value
    return timezone.localtime(value, ZoneInfo(instance.participant.site.timezone)).date()


def cross_field_warnings(form_key: str, instance, visit) -> list[SoftWarning]:
    name = MEASURED_ON.get(form_key)
    day = _day(instance, name) if name and visit is not None else None
    if day is None:
        return []
    start = instance.participant.screening_date if visit.code == BASELINE_VISIT else visit.window_start
    if start <= day <= visit.window_end:
        return []
    return [SoftWarning("outside_window", _(
        "%(field)s %(d)s is outside the %(visit)s window (%(start)s to %(end)s): check the date.") % {
        "field": type(instance)._meta.get_field(name).verbose_name, "d": day.isoformat(),
        "visit": visit.label, "start": start.isoformat(), "end": visit.window_end.isoformat()},
        name)]
