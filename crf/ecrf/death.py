"""Death report, at most one per participant. The NMPA six-level causality belongs to the safety
module; here the investigator's assessment is free text. Saving it ends the scheduled
follow-up like a discontinuation (crf.services.discontinuation)."""
from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from crf.models import Visit
from crf.models.death import Death
from crf.registry import CrfType, register
from crf.services.discontinuation import sync_end_of_follow_up
from edc.forms.widgets import DateInput


class DeathForm(forms.ModelForm):
    class Meta:
        model = Death
        fields = ["date", "cause", "relatedness", "autopsy"]
        widgets = {"date": DateInput(), "cause": forms.Textarea(attrs={"rows": 3}),
                   "relatedness": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Yes / no, both explicit: an unticked box would not tell "no" from "not answered".
        self.fields["autopsy"] = forms.TypedChoiceField(
            label=Death._meta.get_field("autopsy").verbose_name, required=True, widget=forms.RadioSelect,
            choices=[(True, _lazy("Yes")), (False, _lazy("No"))], coerce=lambda v: v in (True, "True"))


def hard_checks(d: Death) -> dict[str, str]:
    errors = {}
    if Death.objects.filter(participant=d.participant).exclude(pk=d.pk).exists():
        errors["__all__"] = _("A death is already recorded for this participant: correct it instead.")
    if d.date:
        later = (Visit.objects.filter(participant=d.participant, visit_date__gt=d.date)
                 .order_by("month").first())
        if later:
            errors["date"] = _("%(visit)s took place on %(v)s, after this date of death.") % {
                "visit": later.label, "v": later.visit_date.isoformat()}
    for name in ("cause", "relatedness"):
        if not (getattr(d, name) or "").strip():
            errors[name] = _("This field is required.")
    return errors


def explain(d: Death) -> list[str]:
    marked = Visit.objects.filter(participant=d.participant, not_applicable=True).order_by("month")
    return [
        _("Death is a serious adverse event: report it in the safety module within 24 hours (protocol 3.3)."),
        _("Visits not applicable from now on: %(visits)s.") % {
            "visits": ", ".join(v.code for v in marked) or _("none")},
    ]


register(CrfType(key="death", label=_lazy("Death"), model=Death, form=DeathForm, log=True,
                 hard_checks=hard_checks, explain=explain, after_save=sync_end_of_follow_up, order=90))
