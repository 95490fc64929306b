"""Forms of the data-quality pages (queries, verification, signatures, locks)."""
from django import forms
from django.utils.translation import gettext_lazy as _

from edc.forms.widgets import date_field


class RaiseQueryForm(forms.Form):
    field_name = forms.ChoiceField(label=_("Field"), required=False)
    text = forms.CharField(label=_("Query"), widget=forms.Textarea(attrs={"rows": 2}))
    due_date = date_field(_("Answer by"), required=False)

    def __init__(self, *args, field_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field_name"].choices = [("", _("The whole form")), *field_choices]


class AnswerQueryForm(forms.Form):
    text = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 2}))
    new_value = forms.CharField(label=_("Corrected value (optional)"), required=False,
                                help_text=_("Leave empty if the value stands. A correction is saved with this "
                                            "answer as the reason for change."))


class ReviewerNoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SignForm(forms.Form):
    password = forms.CharField(label=_("Your password (re-enter to sign)"),
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class UnlockForm(forms.Form):
    reason = forms.CharField(label=_("Reason for unlocking"), max_length=300)
