"""Forms of the randomization module; rules live in the services."""
from django import forms
from django.utils.translation import gettext_lazy as _

from edc.forms.audit import ReasonForChangeMixin
from edc.forms.plausibility import PlausibilityFormMixin
from edc.forms.widgets import datetime_field

MAX_UPLOAD = 1024 * 1024


class GenerateForm(forms.Form):
    seed = forms.RegexField(label=_("Seed"), required=False, regex=r"^\s*[0-9]{1,80}\s*$", max_length=100,
                            error_messages={"invalid": _("The seed must be a whole number (digits only).")},
                            help_text=_("Leave empty for a secret random seed (128 bits). A typed seed needs "
                                        "at least 64 bits. It is recorded either way."))

    def clean_seed(self):
        value = (self.cleaned_data.get("seed") or "").strip()
        return int(value) if value else None


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Allocation list (CSV: stratum, sequence, blind_code, arm)"))

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is larger than 1 MB."))
        return f


class AppendForm(UploadForm):
    reason = forms.CharField(label=_("Reason for appending"), max_length=500)


class StratumForm(ReasonForChangeMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, max_value=1000)


class RandomizeForm(forms.Form):
    confirm = forms.BooleanField(label=_("I confirm this participant is enrolled, consented and eligible, "
                                         "and should be randomized now."))


class UnblindingForm(forms.Form):
    """The code break (protocol 2.8.2): reason, password and the authenticator code, one participant."""

    reason = forms.CharField(label=_("Safety reason for emergency unblinding"),
                             widget=forms.Textarea(attrs={"rows": 3}))
    reveal_to_name = forms.CharField(
        label=_("Reveal to a third party instead (name of the treating physician)"), max_length=200,
        required=False, help_text=_("Leave both empty to see the allocation yourself. When filled, the "
                                    "allocation is e-mailed to this person only and you stay blinded."))
    reveal_to_email = forms.EmailField(label=_("Their e-mail address"), required=False)
    password = forms.CharField(label=_("Your password (re-enter to confirm)"),
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    code = forms.CharField(label=_("The 6-digit code your authenticator app shows now"), max_length=6,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code",
                                                         "inputmode": "numeric"}))


class UnblindingRequestForm(forms.Form):
    reason = forms.CharField(label=_("Safety reason for emergency unblinding"),
                             widget=forms.Textarea(attrs={"rows": 3}))
    treating_physician = forms.CharField(label=_("Treating physician and how to reach them"),
                                         max_length=300, required=False)


class BagForm(PlausibilityFormMixin, forms.Form):
    plausibility_key = "bag"
    body_weight_kg = forms.DecimalField(label=_("Body weight (kg)"), max_digits=5, decimal_places=1,
                                        min_value=25, max_value=250)
    product_lot = forms.CharField(label=_("Product lot (cell product or saline)"), max_length=50)
    cell_count = forms.IntegerField(label=_("Cell count in bag (uc-MSC only)"), required=False, min_value=0)
    viability_pct = forms.DecimalField(label=_("Viability % (uc-MSC only)"), required=False,
                                       max_digits=4, decimal_places=1, min_value=0, max_value=100)
    prepared_at = datetime_field(_("Prepared at"))
    # Four-eyes check: the second pharmacist types their own credentials (protocol 2.8).
    checker_username = forms.CharField(label=_("Second pharmacist: user name"), max_length=150,
                                       widget=forms.TextInput(attrs={"autocomplete": "off"}))
    checker_password = forms.CharField(label=_("Second pharmacist: password"), strip=False,
                                       widget=forms.PasswordInput(attrs={"autocomplete": "off"}))
    checker_otp = forms.CharField(label=_("Second pharmacist: authenticator code (if they have one)"),
                                  max_length=10, required=False,
                                  widget=forms.TextInput(attrs={"autocomplete": "one-time-code",
                                                                "inputmode": "numeric"}))
