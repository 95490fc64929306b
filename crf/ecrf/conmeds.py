"""Concomitant medications. Protocol 2.5.5 prohibits every conventional immunosuppressant and
targeted therapy during the study: such an entry warns, and once saved anyway the page offers a
protocol deviation prefilled from it (crf/templates/crf/conmeds_form.html)."""
from datetime import date

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from crf.models.conmeds import PROHIBITED_CATEGORIES, PROHIBITED_WARNING, ConcomitantMedication
from crf.registry import CrfType, SoftWarning, register
from edc.forms.widgets import DateInput
from edc.sites import site_today


class ConmedForm(forms.ModelForm):
    class Meta:
        model = ConcomitantMedication
        fields = ["drug_name", "category", "dose_text", "start_date", "started_before_screening",
                  "stop_date", "indication"]
        widgets = {"start_date": DateInput(), "stop_date": DateInput()}


def study_start(c: ConcomitantMedication) -> date:
    """The study period starts at month 0 (randomization, first infusion); before randomization,
    today stands in for it (a medication still taken then would continue into the study)."""
    randomization = getattr(c.participant, "randomization", None)
    return randomization.month0_date if randomization else site_today(c.participant.site)


def taken_during_study(c: ConcomitantMedication) -> bool:
    # A first-line immunosuppressant stopped before month 0 is prior therapy, not a deviation.
    return c.stop_date is None or c.stop_date >= study_start(c)


def hard_checks(c: ConcomitantMedication) -> dict[str, str]:
    errors = {}
    if c.start_date and c.started_before_screening:
        errors["start_date"] = _("Leave the start date empty when the medication was started before "
                                 "screening, or untick that box.")
    elif not c.start_date and not c.started_before_screening:
        errors["start_date"] = _("Enter the start date, or tick \"Started before screening\".")
    if c.start_date and c.stop_date and c.stop_date < c.start_date:
        errors["stop_date"] = _("The stop date cannot precede the start date (%(d)s).") % {
            "d": c.start_date.isoformat()}
    return errors


def soft_checks(c: ConcomitantMedication) -> list[SoftWarning]:
    if c.category in PROHIBITED_CATEGORIES and taken_during_study(c):
        return [SoftWarning(PROHIBITED_WARNING, _(
            "%(category)s: prohibited (protocol 2.5.5) — a protocol deviation is proposed.") % {
            "category": c.get_category_display()}, "category")]
    return []


def explain(c: ConcomitantMedication) -> list[str]:
    if c.category not in PROHIBITED_CATEGORIES:
        return [_("%(category)s is permitted during the study (protocol 2.5.5).") % {
            "category": c.get_category_display()}]
    if not taken_during_study(c):
        return [_("%(category)s is prohibited during the study (protocol 2.5.5), but this one stopped "
                  "before month 0 (%(d)s): prior therapy, not a deviation.") % {
            "category": c.get_category_display(), "d": study_start(c).isoformat()}]
    return [_("%(category)s is prohibited during the study (protocol 2.5.5) and was taken on or after "
              "month 0 (%(d)s): a protocol deviation is proposed.") % {
        "category": c.get_category_display(), "d": study_start(c).isoformat()}]


register(CrfType(key="conmeds", label=_lazy("Concomitant medications"), model=ConcomitantMedication,
                 form=ConmedForm, log=True, hard_checks=hard_checks, soft_checks=soft_checks,
                 explain=explain, order=61, template="crf/conmeds_form.html"))
