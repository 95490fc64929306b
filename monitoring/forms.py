"""Forms of central monitoring; the rules live in monitoring.services."""
from django import forms
from django.utils.translation import gettext_lazy as _

from edc.forms.audit import ReasonForChangeMixin

from .models import RecordKind


class PlanForm(ReasonForChangeMixin, forms.Form):
    sample_rate_pct = forms.IntegerField(label=_("Sampling rate for other forms (%)"), min_value=0,
                                         max_value=100)
    lis_counts_as_verified = forms.BooleanField(
        label=_("Laboratory values imported from the hospital laboratory system count as verified"),
        required=False)
    current_main_consent_version = forms.CharField(label=_("Current main consent form version"),
                                                   max_length=20, required=False)
    current_biospecimen_consent_version = forms.CharField(
        label=_("Current biospecimen consent form version"), max_length=20, required=False)
    field_order = ["sample_rate_pct", "lis_counts_as_verified", "current_main_consent_version",
                   "current_biospecimen_consent_version", "reason_for_change"]


class VerifyRecordForm(forms.Form):
    kind = forms.ChoiceField(choices=RecordKind.choices)
    object_id = forms.UUIDField()
