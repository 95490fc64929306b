"""Forms for screening -> consent -> eligibility -> enrolment. Validation of the rules is in the
services; these forms only parse input and show the services' errors next to the fields."""
from django import forms
from django.utils.translation import gettext_lazy as _

from edc import roles
from edc.models import ConsentKind, EligibilityAssessment, PriorTherapy, Sex, Site, User

from .audit import ReasonForChangeMixin
from .plausibility import PlausibilityFormMixin
from .widgets import DateInput, date_field, datetime_field


class ScreeningForm(forms.Form):
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none())
    screening_number = forms.CharField(label=_("Screening number"), max_length=20)
    screening_date = date_field(_("Screening date"))
    initials = forms.CharField(label=_("Initials"), max_length=4,
                               help_text=_("2-4 capital letters of the pinyin name, e.g. ZXM."))
    date_of_birth = date_field(_("Date of birth"))
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, widget=forms.RadioSelect)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        sites = Site.objects.filter(staff=user)
        self.fields["site"].queryset = sites
        if len(sites) == 1:
            self.fields["site"].initial = sites[0]
            self.fields["site"].widget = forms.HiddenInput()


class ScreeningEditForm(ReasonForChangeMixin, forms.Form):
    screening_number = forms.CharField(label=_("Screening number"), max_length=20)
    screening_date = date_field(_("Screening date"))
    initials = forms.CharField(label=_("Initials"), max_length=4)
    date_of_birth = date_field(_("Date of birth"))
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, widget=forms.RadioSelect)
    field_order = ["screening_number", "screening_date", "initials", "date_of_birth", "sex",
                   "reason_for_change"]


def investigators_of(site) -> "forms.QuerySet":
    return (User.objects.filter(sites=site, groups__name__in=roles.INVESTIGATORS, is_active=True)
            .distinct().order_by("last_name", "username"))


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.printed_name


class ConsentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Consent"), choices=ConsentKind.choices,
                             widget=forms.RadioSelect)
    form_version = forms.CharField(label=_("Consent form version"), max_length=20,
                                   help_text=_("As printed on the signed form, e.g. 1.0 2023-05-20."))
    consented_at = datetime_field(_("Date and time of consent"))
    obtained_by = UserChoiceField(label=_("Consent taken by"), queryset=User.objects.none())

    def __init__(self, *args, participant=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["obtained_by"].queryset = investigators_of(participant.site)


class ConsentEditForm(ReasonForChangeMixin, ConsentForm):
    field_order = ["form_version", "consented_at", "obtained_by", "reason_for_change"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["kind"]


class EligibilityForm(PlausibilityFormMixin, forms.ModelForm):
    plausibility_key = "eligibility"

    class Meta:
        model = EligibilityAssessment
        fields = [
            "acr_criteria_met", "biopsy_date", "biopsy_class", "biopsy_active",
            "first_line_start_date", "first_line_response", "inclusion_note",
            "severe_hepatic_dysfunction", "creatinine_value", "creatinine_unit", "creatinine_date",
            *[name for exc in EligibilityAssessment.EXCLUSION_FIELDS
              for name in (exc, f"{exc}_note")],
        ]
        widgets = {"biopsy_date": DateInput(), "first_line_start_date": DateInput(),
                   "creatinine_date": DateInput(), "inclusion_note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("biopsy_active", "severe_hepatic_dysfunction",
                     *EligibilityAssessment.EXCLUSION_FIELDS):
            model_field = EligibilityAssessment._meta.get_field(name)
            self.fields[name] = forms.TypedChoiceField(
                label=model_field.verbose_name, required=True, widget=forms.RadioSelect,
                choices=[(True, _("Yes")), (False, _("No"))],
                coerce=lambda v: v in (True, "True"))
        self.fields["acr_criteria_met"].widget.attrs.update({"min": 0, "max": 11})
        self.fields["creatinine_value"].widget.attrs.update({"step": "0.01", "min": "0"})

    @property
    def exclusion_rows(self):
        """(number, answer, note) for exclusions 2-14 in protocol order (2.2); exclusion 5 is computed
        from its own fields, so its answer and note are None."""
        rows = [(int(exc[3:]), self[exc], self[f"{exc}_note"]) for exc in EligibilityAssessment.EXCLUSION_FIELDS]
        return sorted(rows + [(5, None, None)], key=lambda row: row[0])


class EligibilityEditForm(ReasonForChangeMixin, EligibilityForm):
    pass


class EnrolmentForm(forms.Form):
    prior_therapy = forms.ChoiceField(
        label=_("Prior first-line standard therapy (randomization stratum)"),
        choices=PriorTherapy.choices, widget=forms.RadioSelect)


class ScreenFailureForm(forms.Form):
    reason_code = forms.ChoiceField(label=_("Reason"), widget=forms.RadioSelect, choices=[
        ("exc1", _("Declined informed consent (exclusion 1)")),
        ("withdrew", _("Withdrew before enrolment")),
        ("other", _("Other reason")),
    ])
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


