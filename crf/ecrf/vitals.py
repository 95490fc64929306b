"""Vital signs eCRF: systolic above diastolic (hard), clinically notable values and a weight change
since the previous vitals (soft). The plausible range of every value is the plausibility table's
(edc.clinical.plausibility), checked for every form by crf.services.entry."""
from decimal import Decimal

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from crf.models import Visit
from crf.models.vitals import VitalSigns
from crf.registry import CrfType, SoftWarning, register
from edc.clinical.plausibility import QUANTITIES
from edc.forms.plausibility import PlausibilityFormMixin
from edc.forms.widgets import DateInput

# Notable values worth a second look (soft): stage-2 hypertension, hypotension, fever; a weight
# change of more than 10 % since the previous vitals (a dosing weight and a fluid-status signal; the
# limit is the plausibility table's weight delta rule).
SBP_HIGH, SBP_LOW, DBP_HIGH = 160, 90, 100
FEVER_ABOVE_C = Decimal(38)  # the SLEDAI-2K fever threshold (docs/DATA_QUALITY.md)
WEIGHT_CHANGE_MAX = Decimal(str(QUANTITIES["weight"].delta_fraction))


class VitalSignsForm(PlausibilityFormMixin, forms.ModelForm):
    plausibility_key = "vitals"

    class Meta:
        model = VitalSigns
        fields = ["measured_on", "systolic_bp", "diastolic_bp", "heart_rate", "temperature_c",
                  "weight_kg", "height_cm"]
        widgets = {"measured_on": DateInput()}


def vitals_at(visit: Visit) -> VitalSigns | None:
    return VitalSigns.objects.filter(visit=visit).first()


def vitals_before(participant, month: int) -> VitalSigns | None:
    """The participant's latest vitals from a visit before `month`."""
    return (VitalSigns.objects.filter(participant=participant, visit__month__lt=month)
            .select_related("visit").order_by("-visit__month").first())


def hard_checks(v: VitalSigns) -> dict[str, str]:
    errors = {}
    if v.systolic_bp is not None and v.diastolic_bp is not None and v.diastolic_bp >= v.systolic_bp:
        errors["diastolic_bp"] = _("The diastolic pressure must be lower than the systolic pressure.")
    return errors


def _weight_change(v: VitalSigns) -> tuple[VitalSigns, Decimal] | None:
    previous = vitals_before(v.participant, v.visit.month)
    if previous is None or v.weight_kg is None:
        return None
    return previous, (Decimal(v.weight_kg) - previous.weight_kg) / previous.weight_kg


def soft_checks(v: VitalSigns) -> list[SoftWarning]:
    warnings: list[SoftWarning] = []
    if None in (v.systolic_bp, v.diastolic_bp, v.temperature_c):
        return warnings  # incomplete: the model's own validation refuses it before saving
    if v.systolic_bp >= SBP_HIGH:
        warnings.append(SoftWarning("sbp_high", _("Systolic pressure %(v)d mmHg is 160 or above.")
                                    % {"v": v.systolic_bp}, "systolic_bp"))
    elif v.systolic_bp < SBP_LOW:
        warnings.append(SoftWarning("sbp_low", _("Systolic pressure %(v)d mmHg is below 90.")
                                    % {"v": v.systolic_bp}, "systolic_bp"))
    if v.diastolic_bp >= DBP_HIGH:
        warnings.append(SoftWarning("dbp_high", _("Diastolic pressure %(v)d mmHg is 100 or above.")
                                    % {"v": v.diastolic_bp}, "diastolic_bp"))
    if Decimal(v.temperature_c) > FEVER_ABOVE_C:
        warnings.append(SoftWarning("fever", _("Temperature %(v)s °C is above 38 °C.")
                                    % {"v": v.temperature_c}, "temperature_c"))
    change = _weight_change(v)
    if change and abs(change[1]) > WEIGHT_CHANGE_MAX:
        previous, fraction = change
        warnings.append(SoftWarning("weight_change", _(
            "Body weight %(now)s kg differs by %(pct)s %% from %(prev)s kg at %(visit)s (more than 10 %%).")
            % {"now": v.weight_kg, "pct": f"{fraction * 100:+.1f}", "prev": previous.weight_kg,
               "visit": previous.visit.label}, "weight_kg"))
    return warnings


def explain(v: VitalSigns) -> list[str]:
    lines = [_("Blood pressure %(s)d/%(d)d mmHg, heart rate %(hr)d/min, temperature %(t)s °C.") % {
        "s": v.systolic_bp, "d": v.diastolic_bp, "hr": v.heart_rate, "t": v.temperature_c}]
    change = _weight_change(v)
    if change is None:
        lines.append(_("Body weight %(w)s kg (no earlier vital signs to compare).") % {"w": v.weight_kg})
    else:
        previous, fraction = change
        lines.append(_("Body weight %(w)s kg: %(pct)s %% since %(prev)s kg at %(visit)s "
                       "(a change of more than 10 %% is flagged).") % {
            "w": v.weight_kg, "pct": f"{fraction * 100:+.1f}", "prev": previous.weight_kg,
            "visit": previous.visit.label})
    return lines


register(CrfType(key="vitals", label=_lazy("Vital signs"), model=VitalSigns, form=VitalSignsForm,
                 hard_checks=hard_checks, soft_checks=soft_checks, explain=explain, order=10))
