"""Discontinuation of the allocated intervention (protocol 2.5.3), at most one per participant.
Saving it ends the scheduled follow-up: later visits become not applicable
(crf.services.discontinuation, called after the save in the same transaction)."""
from datetime import date

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from crf.models import Visit
from crf.models.discontinuation import Discontinuation, DiscontinuationReason
from crf.registry import CrfType, SoftWarning, register
from crf.services.discontinuation import end_of_follow_up, sync_end_of_follow_up
from edc.forms.widgets import DateInput


class DiscontinuationForm(forms.ModelForm):
    class Meta:
        model = Discontinuation
        fields = ["date", "reason", "details"]
        widgets = {"date": DateInput(), "reason": forms.RadioSelect,
                   "details": forms.Textarea(attrs={"rows": 3})}


def _month0(d: Discontinuation) -> date | None:
    randomization = getattr(d.participant, "randomization", None)
    return randomization.month0_date if randomization else None


def hard_checks(d: Discontinuation) -> dict[str, str]:
    errors = {}
    if Discontinuation.objects.filter(participant=d.participant).exclude(pk=d.pk).exists():
        errors["__all__"] = _("A discontinuation is already recorded for this participant: correct it "
                              "instead.")
    month0 = _month0(d)
    if month0 is None:
        errors["date"] = _("Only a randomized participant can discontinue the allocated intervention.")
    elif d.date and d.date < month0:
        errors["date"] = _("The discontinuation cannot precede month 0 (%(d)s).") % {"d": month0.isoformat()}
    if d.reason == DiscontinuationReason.INVESTIGATOR and not (d.details or "").strip():
        errors["details"] = _("Describe the investigator's reason.")
    return errors


def soft_checks(d: Discontinuation) -> list[SoftWarning]:
    # protocol 2.5.3: "no partial response at month 6" is judged at the month-6 visit
    m6 = Visit.objects.filter(participant=d.participant, code="m6").first()
    if d.reason == DiscontinuationReason.NO_RESPONSE_M6 and m6 and d.date and d.date < m6.window_start:
        return [SoftWarning("before_month6", _(
            "The reason is no partial response at month 6, but the date is before the month-6 window "
            "(opens %(d)s).") % {"d": m6.window_start.isoformat()}, "date")]
    return []


def explain(d: Discontinuation) -> list[str]:
    marked = list(Visit.objects.filter(participant=d.participant, not_applicable=True).order_by("month"))
    end = end_of_follow_up(d.participant)
    lines = []
    if end and end[0] < d.date:
        lines.append(_("Follow-up ended earlier, on %(d)s (death).") % {"d": end[0].isoformat()})
    lines.append(_("Visits whose window opens after %(d)s and that have no visit date are not applicable: "
                   "%(visits)s.") % {"d": (end[0] if end else d.date).isoformat(),
                                     "visits": ", ".join(v.code for v in marked) or _("none")})
    return lines


register(CrfType(key="discontinuation", label=_lazy("Discontinuation"), model=Discontinuation,
                 form=DiscontinuationForm, log=True, hard_checks=hard_checks, soft_checks=soft_checks,
                 explain=explain, after_save=sync_end_of_follow_up, order=80))
