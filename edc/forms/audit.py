"""The reason-for-change field every edit form carries (docs/ARCHITECTURE.md rule 2)."""
from django import forms
from django.utils.translation import gettext_lazy as _

from edc.audit import REASON_MAX_LENGTH


class ReasonForChangeMixin(forms.Form):
    reason_for_change = forms.CharField(
        label=_("Reason for change"), max_length=REASON_MAX_LENGTH,
        help_text=_("Required for every change to saved data; it goes into the audit trail."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}))
