"""Prednisone dose log (protocol 2.5.2: start 1.0 mg/kg/day, at most 80 mg/day, tapered to below
5 mg/day by month 6). The flags come from edc.clinical.prednisone; they warn, never block."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from crf.models.prednisone import PrednisoneDose, WeightSource
from crf.prednisone_doses import in_force_at_month6, month6_day, row_at_month6, vitals_weight
from crf.registry import CrfType, SoftWarning, register
from edc.clinical.prednisone import MAX_MG_DAY, MAX_MG_PER_KG_DAY, MONTH6_BELOW_MG_DAY, prednisone_flags
from edc.forms.plausibility import PlausibilityFormMixin
from edc.forms.widgets import DateInput

MONTH6_FLAG = "month6_not_below_5_mg_day"


class PrednisoneForm(PlausibilityFormMixin, forms.ModelForm):
    plausibility_key = "prednisone"

    class Meta:
        model = PrednisoneDose
        fields = ["start_date", "dose_mg_day", "weight_kg"]
        widgets = {"start_date": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dose_mg_day"].widget.attrs.update({"step": "0.25", "min": "0"})


def derive(d: PrednisoneDose) -> None:
    """The weight for the mg/kg check: the vital signs' on or before the start date, else typed."""
    found = vitals_weight(d.participant, d.start_date) if d.start_date else None
    if found is not None:
        d.weight_kg, d.weight_source = found[0], WeightSource.VITALS
    elif d.weight_kg is None:
        raise ValidationError({"weight_kg": _(
            "No body weight is recorded in the vital signs on or before this date: enter it (kg).")})
    else:
        d.weight_source = WeightSource.ENTERED


def hard_checks(d: PrednisoneDose) -> dict[str, str]:
    # The dose and weight ranges (800 mg/day: a typo for 80) are the plausibility table's.
    errors = {}
    if d.start_date and PrednisoneDose.objects.filter(participant=d.participant, start_date=d.start_date) \
            .exclude(pk=d.pk).exists():
        errors["start_date"] = _("A dose starting on %(d)s is already recorded: correct that entry "
                                 "instead.") % {"d": d.start_date.isoformat()}
    return errors


def _flag_message(code: str, d: PrednisoneDose) -> str:
    # The calculator's messages are English; translate by code (edc.clinical.prednisone docstring).
    values = {"dose": d.dose_mg_day, "weight": d.weight_kg, "cap": MAX_MG_PER_KG_DAY * d.weight_kg,
              "max": MAX_MG_DAY, "below": MONTH6_BELOW_MG_DAY, "m6": month6_day(d.participant)}
    return {
        "above_1_mg_per_kg": _("Dose %(dose)s mg/day exceeds 1.0 mg/kg/day (%(cap)s mg/day for "
                               "%(weight)s kg; protocol 2.5.2)."),
        "above_80_mg_day": _("Dose %(dose)s mg/day exceeds the %(max)s mg/day maximum (protocol 2.5.2)."),
        MONTH6_FLAG: _("Dose %(dose)s mg/day is the dose in force on the month-6 visit %(m6)s (no later "
                       "dose is recorded before it) and is not below %(below)s mg/day (protocol 2.5.2)."),
    }[code] % values


def soft_checks(d: PrednisoneDose) -> list[SoftWarning]:
    flags = prednisone_flags(d.dose_mg_day, d.weight_kg, in_force_at_month6(d))
    return [SoftWarning(f.code, _flag_message(f.code, d), "dose_mg_day") for f in flags]


def reevaluate_month6(participant, user) -> None:
    """The month-6 check on the dose log as it stands (protocol 2.5.2): after every change to the log
    and when the month-6 visit is recorded, whichever row is then in force on the month-6 visit day
    is judged, whenever it was entered. A dose at or above 5 mg/day becomes an automatic query on that
    row (one open query per row)."""
    from crf.services import queries  # queries -> entry -> the registry -> this module

    row = row_at_month6(participant)
    if row is None or row.dose_mg_day < MONTH6_BELOW_MG_DAY:
        return
    queries.auto_queries(row, crf_key="prednisone", user=user,
                         warnings=[SoftWarning(MONTH6_FLAG, _flag_message(MONTH6_FLAG, row), "dose_mg_day")])


def after_save(d: PrednisoneDose, user) -> None:
    reevaluate_month6(d.participant, user)


def explain(d: PrednisoneDose) -> list[str]:
    if d.weight_source == WeightSource.VITALS:
        found = vitals_weight(d.participant, d.start_date)
        where = _("vital signs of %(day)s") % {"day": found[1].measured_on} if found else _("vital signs")
    else:
        where = _("entered on this form")
    lines = [_("Weight used: %(w)s kg (%(where)s); dose %(mgkg)s mg/kg/day (protocol 2.5.2: at most "
               "1.0 mg/kg/day and 80 mg/day).") % {"w": d.weight_kg, "where": where, "mgkg": d.mg_per_kg}]
    target = month6_day(d.participant)
    if target is None:
        lines.append(_("Month 6 is not scheduled yet (participant not randomized)."))
    elif in_force_at_month6(d):
        lines.append(_("This is the dose in force on the month-6 visit %(d)s: it must be below "
                       "5 mg/day (protocol 2.5.2).") % {"d": target})
    else:
        lines.append(_("Not the dose in force on the month-6 visit %(d)s (or that day has not come "
                       "yet), so the month-6 limit does not apply to it.") % {"d": target})
    return lines


register(CrfType(key="prednisone", label=_lazy("Prednisone doses"), model=PrednisoneDose,
                 form=PrednisoneForm, log=True, derive=derive, hard_checks=hard_checks,
                 soft_checks=soft_checks, explain=explain, after_save=after_save, order=60,
                 template="crf/prednisone_form.html"))
