"""Forms of the crf module's visit pages (the eCRF forms live beside their models)."""
from django import forms
from django.utils.translation import gettext_lazy as _

from edc.forms.widgets import date_field


class VisitDateForm(forms.Form):
    visit_date = date_field(_("Visit date"))
    reason_for_change = forms.CharField(label=_("Reason for change (when correcting)"), required=False,
                                        max_length=500)


class MissedForm(forms.Form):
    missed_reason = forms.CharField(label=_("Reason the visit was missed"), max_length=300)


def add_reason_field(form: forms.Form) -> None:
    form.fields["reason_for_change"] = forms.CharField(
        label=_("Reason for change"), max_length=500,
        help_text=_("Required for every change to saved data; it goes into the audit trail."))
