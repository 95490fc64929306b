"""The 6-digit code of the sign-in's second step, and the data manager's reset form (admin)."""
import re

from django import forms
from django.utils.translation import gettext_lazy as _

from edc.audit import REASON_MAX_LENGTH
from edc.models import TwoFactorReset


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app"), max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "autofocus": True, "pattern": r"[0-9 ]*"}))

    def clean_code(self) -> str:
        code = re.sub(r"\s", "", self.cleaned_data["code"])
        if not re.fullmatch(r"\d{6}", code):
            raise forms.ValidationError(_("Enter the 6 digits your authenticator app shows."))
        return code


class TwoFactorResetForm(forms.ModelForm):
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX_LENGTH, widget=forms.Textarea,
                             help_text=_("For example: phone lost or replaced. Recorded in the audit."))

    class Meta:
        model = TwoFactorReset
        fields = ["user", "reason"]
