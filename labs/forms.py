from django import forms
from django.utils.translation import gettext_lazy as _

from labs.analytes import ANALYTES
from labs.models import CodeSystem, ColumnMapping, analyte_choices

FORMAT_CHOICES = [("auto", _("Detect from the file")), ("csv", "CSV"), ("xlsx", "XLSX"),
                  ("hl7", _("HL7 v2 (ORU^R01)")), ("fhir", _("FHIR R4 bundle (JSON)"))]


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File from the laboratory system"))
    format = forms.ChoiceField(label=_("Format"), choices=FORMAT_CHOICES, initial="auto")
    mapping = forms.ChoiceField(label=_("Column mapping"), required=False)
    dry_run = forms.BooleanField(label=_("Dry run: check the file, stage nothing"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mapping"].choices = [("", _("Default headers (English or Chinese)"))] + [
            (m.name, m.name) for m in ColumnMapping.objects.all()]


class ReviewForm(forms.Form):
    reason = forms.CharField(label=_("Reason (recorded with every value, with the batch and its hash)"),
                             max_length=300, initial=_("Results from the hospital laboratory system"))
    action = forms.CharField(max_length=60)  # rows | all | skip | panel:<visit uuid>
    rows = forms.TypedMultipleChoiceField(coerce=int, required=False)

    def __init__(self, *args, row_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rows"].choices = [(i, i) for i in row_ids]


class PlaceForm(forms.Form):
    """Place results outside every visit window (labs.services.placement): the row, or a panel named
    by one of its rows; the checks are the service's."""
    row = forms.CharField(max_length=20, required=False)  # this result only
    panel = forms.CharField(max_length=20, required=False)  # every result collected with it
    visit = forms.CharField(max_length=40, required=False)
    reason = forms.CharField(required=False)  # its length is the service's check (labs.services.placement)
    status = forms.CharField(max_length=20, required=False)  # the review page's filter, to return to


class MappingForm(forms.Form):
    system = forms.ChoiceField(label=_("Code system"), choices=CodeSystem.choices)
    code = forms.CharField(label=_("Code"), max_length=40)
    field = forms.ChoiceField(label=_("Lab form field"), choices=())
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    reason = forms.CharField(label=_("Reason for change"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [c for c in analyte_choices() if c[0] in ANALYTES]


class HospitalNumberForm(forms.Form):
    number = forms.CharField(label=_("Hospital record number"), max_length=30)
    reason = forms.CharField(label=_("Reason for change"), max_length=300, required=False)
