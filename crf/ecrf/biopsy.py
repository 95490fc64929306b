"""Kidney biopsy eCRF (any visit): ISN/RPS class, the modified NIH components, the activity and
chronicity indices computed by edc.clinical.nih (Bajema 2018, docs/DOMAIN.md §5.2) and shown as
their arithmetic; the histological response (protocol 2.6)."""
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from crf.models.biopsy import KidneyBiopsy
from crf.registry import CrfType, register
from edc.clinical.nih import (
    ACTIVITY_WEIGHTS,
    CHRONICITY_WEIGHTS,
    MAX_ACTIVITY,
    MAX_CHRONICITY,
    nih_activity_index,
    nih_chronicity_index,
)
from edc.forms.plausibility import PlausibilityFormMixin
from edc.forms.widgets import DateInput


class KidneyBiopsyForm(PlausibilityFormMixin, forms.ModelForm):
    plausibility_key = "biopsy"

    class Meta:
        model = KidneyBiopsy
        fields = ["biopsy_date", "isn_rps_class", *ACTIVITY_WEIGHTS, *CHRONICITY_WEIGHTS,
                  "histological_response"]
        widgets = {"biopsy_date": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, weight in ACTIVITY_WEIGHTS.items():
            if weight != 1:  # necrosis and cellular/fibrocellular crescents count double (§5.2)
                self.fields[name].label = f"{self.fields[name].label} (×{weight})"


def _components(b: KidneyBiopsy, weights: dict[str, int]) -> dict[str, int]:
    return {name: getattr(b, name) for name in weights}


def _component_errors(b: KidneyBiopsy) -> dict[str, str]:
    return {name: _("Score each component 0, 1, 2 or 3.")
            for name in (*ACTIVITY_WEIGHTS, *CHRONICITY_WEIGHTS)
            if isinstance(getattr(b, name), bool) or getattr(b, name) not in (0, 1, 2, 3)}


def derive(b: KidneyBiopsy) -> None:
    try:
        b.activity_index = nih_activity_index(**_components(b, ACTIVITY_WEIGHTS))
        b.chronicity_index = nih_chronicity_index(**_components(b, CHRONICITY_WEIGHTS))
    except ValueError as e:  # the form offers 0-3 only; anything else reaching here is refused
        raise ValidationError(_component_errors(b) or str(e))


def _arithmetic(b: KidneyBiopsy, weights: dict[str, int]) -> str:
    return " + ".join(f"{KidneyBiopsy._meta.get_field(name).verbose_name} {getattr(b, name)}×{w}"
                      for name, w in weights.items())


def explain(b: KidneyBiopsy) -> list[str]:
    return [
        _("ISN/RPS class %(c)s; histological response: %(r)s.") % {
            "c": b.isn_rps_class, "r": b.get_histological_response_display()},
        _("Activity index = %(terms)s = %(ai)d of %(max)d.") % {
            "terms": _arithmetic(b, ACTIVITY_WEIGHTS), "ai": b.activity_index, "max": MAX_ACTIVITY},
        _("Chronicity index = %(terms)s = %(ci)d of %(max)d.") % {
            "terms": _arithmetic(b, CHRONICITY_WEIGHTS), "ci": b.chronicity_index, "max": MAX_CHRONICITY},
        _("The two indices are reported separately, never added (Bajema 2018)."),
    ]


register(CrfType(key="biopsy", label=_lazy("Kidney biopsy"), model=KidneyBiopsy, form=KidneyBiopsyForm,
                 any_visit=True, derive=derive, explain=explain, order=70))
