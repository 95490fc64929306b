"""Protocol deviations. Severity decides the per-protocol set later (protocol 2.13.1: PPS = FAS
minus major protocol deviations). A deviation may be proposed from a prohibited concomitant
medication (protocol 2.5.5), which links it to that row."""
from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from crf.models.conmeds import ConcomitantMedication
from crf.models.deviation import DeviationCategory, DeviationSeverity, ProtocolDeviation
from crf.registry import CrfType, SoftWarning, register
from edc.forms.widgets import DateInput

# Categories that usually make a deviation major (they question eligibility, consent or the
# treatment effect); a minor one is allowed after a second look.
USUALLY_MAJOR = {DeviationCategory.ELIGIBILITY, DeviationCategory.CONSENT,
                 DeviationCategory.PROHIBITED_MEDICATION}


class DeviationForm(forms.ModelForm):
    class Meta:
        model = ProtocolDeviation
        fields = ["date", "severity", "category", "description", "corrective_action", "conmed"]
        widgets = {"date": DateInput(), "severity": forms.RadioSelect, "conmed": forms.HiddenInput,
                   "description": forms.Textarea(attrs={"rows": 4}),
                   "corrective_action": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only this participant's medications can be linked (a tampered hidden value is refused).
        self.fields["conmed"].queryset = ConcomitantMedication.objects.filter(
            participant_id=self.instance.participant_id)


def initial_from_conmed(c: ConcomitantMedication) -> dict:
    start = c.start_date.isoformat() if c.start_date else _("before screening")
    stop = c.stop_date.isoformat() if c.stop_date else _("ongoing")
    return {"category": DeviationCategory.PROHIBITED_MEDICATION, "conmed": c.pk, "description": _(
        "Prohibited medication taken during the study (protocol 2.5.5): %(drug)s (%(category)s), "
        "%(dose)s, from %(start)s to %(stop)s, for %(indication)s.") % {
        "drug": c.drug_name, "category": c.get_category_display(), "dose": c.dose_text or "-",
        "start": start, "stop": stop, "indication": c.indication}}


def hard_checks(d: ProtocolDeviation) -> dict[str, str]:
    errors = {}
    if not (d.description or "").strip():
        errors["description"] = _("Describe the deviation.")
    if d.conmed_id and d.conmed.participant_id != d.participant_id:
        errors["conmed"] = _("This medication belongs to another participant.")
    return errors


def soft_checks(d: ProtocolDeviation) -> list[SoftWarning]:
    if d.severity == DeviationSeverity.MINOR and d.category in USUALLY_MAJOR:
        return [SoftWarning("usually_major", _(
            "A deviation of category \"%(category)s\" is usually major (it would remove the participant "
            "from the per-protocol set, protocol 2.13.1): check the severity.") % {
            "category": d.get_category_display()}, "severity")]
    return []


def explain(d: ProtocolDeviation) -> list[str]:
    if d.severity == DeviationSeverity.MAJOR:
        return [_("Major deviation: the participant leaves the per-protocol set (protocol 2.13.1).")]
    return [_("Minor deviation: the participant stays in the per-protocol set (protocol 2.13.1).")]


register(CrfType(key="deviation", label=_lazy("Protocol deviations"), model=ProtocolDeviation,
                 form=DeviationForm, log=True, hard_checks=hard_checks, soft_checks=soft_checks,
                 explain=explain, order=70, template="crf/deviation_form.html"))
