"""Forms of the safety module; rules live in the services."""
from django import forms
from django.utils.translation import gettext_lazy as _

from edc.forms.widgets import DateInput, datetime_field
from safety.models import AdverseEvent
from safety.vocab import GRADE_DEFINITIONS

# Common CTCAE v5.0 terms for this population, offered as suggestions (free text stays possible).
COMMON_TERMS = [
    ("Infusion related reaction", "General disorders and administration site conditions"),
    ("Anaphylaxis", "Immune system disorders"), ("Allergic reaction", "Immune system disorders"),
    ("Fever", "General disorders and administration site conditions"),
    ("Fatigue", "General disorders and administration site conditions"),
    ("Lung infection", "Infections and infestations"), ("Urinary tract infection", "Infections and infestations"),
    ("Sepsis", "Infections and infestations"), ("Herpes zoster", "Infections and infestations"),
    ("Upper respiratory infection", "Infections and infestations"),
    ("Acute kidney injury", "Renal and urinary disorders"), ("Proteinuria", "Renal and urinary disorders"),
    ("Creatinine increased", "Investigations"), ("White blood cell decreased", "Investigations"),
    ("Platelet count decreased", "Investigations"), ("Anemia", "Blood and lymphatic system disorders"),
    ("Hypertension", "Vascular disorders"), ("Thromboembolic event", "Vascular disorders"),
    ("Headache", "Nervous system disorders"), ("Seizure", "Nervous system disorders"),
    ("Nausea", "Gastrointestinal disorders"), ("Diarrhea", "Gastrointestinal disorders"),
    ("Hyperglycemia", "Metabolism and nutrition disorders"),
    ("Rash maculo-papular", "Skin and subcutaneous tissue disorders"),
    ("Pregnancy, puerperium and perinatal conditions - Other, specify",
     "Pregnancy, puerperium and perinatal conditions"),
]


class AdverseEventForm(forms.ModelForm):
    aware_at = datetime_field(_("Site became aware (date and time, for an SAE)"), required=False)
    narrative = forms.CharField(label=_("SAE narrative"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    class Meta:
        model = AdverseEvent
        fields = ["term", "soc", "onset_date", "end_date", "grade", *AdverseEvent.SERIOUSNESS_FIELDS,
                  "causality", "expected", "action", "outcome", "description"]
        widgets = {"onset_date": DateInput(), "end_date": DateInput(),
                   "grade": forms.RadioSelect, "description": forms.Textarea(attrs={"rows": 3}),
                   "term": forms.TextInput(attrs={"list": "ctcae-terms", "autocomplete": "off"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expected"] = forms.TypedChoiceField(
            label=self.fields["expected"].label, widget=forms.RadioSelect, coerce=lambda v: v == "True",
            choices=[(True, _("Yes")), (False, _("No"))])
        self.fields["grade"].help_text = " ".join(f"G{g}: {d}" for g, d in GRADE_DEFINITIONS.items())


class AdverseEventEditForm(AdverseEventForm):
    reason_for_change = forms.CharField(label=_("Reason for change"), max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("aware_at", "narrative"):
            del self.fields[name]


class MeetObligationForm(forms.Form):
    met_at = datetime_field(_("Reported at"))
    how = forms.CharField(label=_("How (e-mail, fax, portal…)"), max_length=100)
    reference = forms.CharField(label=_("Reference"), max_length=200, required=False)


class FollowUpForm(forms.Form):
    content = forms.CharField(label=_("Follow-up information"), widget=forms.Textarea(attrs={"rows": 4}))


class OpenSaeForm(forms.Form):
    aware_at = datetime_field(_("Site became aware (date and time)"))
    narrative = forms.CharField(label=_("SAE narrative"), widget=forms.Textarea(attrs={"rows": 4}))
