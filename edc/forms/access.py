"""Forms of the access-control page; the rules live in edc.services.grants."""
from django import forms
from django.utils.translation import gettext_lazy as _

from edc import roles
from edc.audit import REASON_MAX_LENGTH
from edc.services.grants import GRANTABLE_ROLES


def role_choices():
    return [("", "—")] + [(r, roles.LABELS[r]) for r in GRANTABLE_ROLES]


class ReasonField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(label=_("Reason"), max_length=REASON_MAX_LENGTH,
                         help_text=_("Required; recorded in the grant log with your name."), **kwargs)


class AccessChangeForm(forms.Form):
    ACTIONS = [
        ("grant_role", _("Grant role")), ("revoke_role", _("Withdraw role")),
        ("grant_site", _("Grant site")), ("revoke_site", _("Withdraw site")),
        ("grant_trial_wide_export", _("Grant trial-wide export")),
        ("revoke_trial_wide_export", _("Withdraw trial-wide export")),
        ("deactivate", _("Deactivate the account")), ("activate", _("Reactivate the account")),
        ("set_password", _("Set a new password")),
    ]
    action = forms.ChoiceField(label=_("Change"), choices=ACTIONS)
    role = forms.ChoiceField(label=_("Role"), required=False)
    site = forms.ChoiceField(label=_("Site"), required=False)
    password = forms.CharField(label=_("New password"), required=False, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    reason = ReasonField()

    def __init__(self, *args, sites=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices()
        self.fields["site"].choices = [("", "—")] + [(s.code, s.name) for s in sites]

    def clean(self):
        cleaned = super().clean()
        action = cleaned.get("action", "")
        for needed in ("role", "site", "password"):
            if needed in action and not cleaned.get(needed):
                self.add_error(needed, _("Choose one for this change."))
        return cleaned


class NewAccountForm(forms.Form):
    username = forms.RegexField(label=_("User name"), max_length=150, regex=r"^[\w.@+-]+\Z")
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    role = forms.ChoiceField(label=_("Role"))
    sites = forms.MultipleChoiceField(label=_("Sites"), widget=forms.CheckboxSelectMultiple)
    password = forms.CharField(label=_("Initial password"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    reason = ReasonField()

    def __init__(self, *args, sites=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices()
        self.fields["sites"].choices = [(s.code, s.name) for s in sites]
