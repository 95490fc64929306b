"""Research biospecimens (protocol 2.12): only with the separate biospecimen consent (protocol
2.3, 2.12), stored at −80 °C. Processing within 2 hours of collection is a common biobank rule,
not the protocol's: a later freeze warns."""
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from crf.models.biospecimen import Biospecimen
from crf.registry import CrfType, SoftWarning, register
from edc.clinical.plausibility import QUANTITIES
from edc.forms.plausibility import PlausibilityFormMixin
from edc.forms.widgets import datetime_field
from edc.models import ConsentKind

TUBES_RANGE = tuple(int(x) for x in QUANTITIES["tubes"].hard)  # the plausibility table's
STORAGE_C = Decimal(-80)  # protocol 2.12
WARMEST_STORAGE_C = Decimal(-70)  # a −80 °C freezer reading above −70 °C is a failing freezer
MAX_TO_FREEZER = timedelta(hours=2)


class BiospecimenForm(PlausibilityFormMixin, forms.ModelForm):
    plausibility_key = "biospecimen"
    collected_at = datetime_field(_lazy("Collected at"))
    frozen_at = datetime_field(_lazy("Frozen at"))

    class Meta:
        model = Biospecimen
        fields = ["sample_type", "tubes", "collected_at", "frozen_at", "storage_temp_c", "freezer", "box",
                  "position"]
        widgets = {"sample_type": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tubes"].widget.attrs.update({"min": TUBES_RANGE[0], "max": TUBES_RANGE[1]})


def _consent(b: Biospecimen):
    return b.participant.consents.filter(kind=ConsentKind.BIOSPECIMEN).first()


def hard_checks(b: Biospecimen) -> dict[str, str]:
    errors = {}
    consent = _consent(b)
    if consent is None:
        errors["__all__"] = _("No biospecimen consent is recorded for this participant: research "
                              "specimens may not be collected (protocol 2.12).")
    if b.tubes is None:  # the range is the plausibility table's
        errors["tubes"] = _("This field is required.")
    for name in ("collected_at", "frozen_at", "storage_temp_c"):
        if getattr(b, name) is None:
            errors[name] = _("This field is required.")
    now = timezone.now()
    if b.collected_at and b.collected_at > now:
        errors["collected_at"] = _("The collection time cannot be in the future.")
    elif b.collected_at and consent and b.collected_at < consent.consented_at:
        errors["collected_at"] = _("Collected before the biospecimen consent was given (%(t)s).") % {
            "t": timezone.localtime(consent.consented_at).strftime("%Y-%m-%d %H:%M")}
    if b.frozen_at and b.frozen_at > now:
        errors["frozen_at"] = _("The freezing time cannot be in the future.")
    elif b.frozen_at and b.collected_at and b.frozen_at < b.collected_at:
        errors["frozen_at"] = _("The specimens cannot be frozen before they were collected.")
    return errors


def soft_checks(b: Biospecimen) -> list[SoftWarning]:
    warnings = []
    if b.storage_temp_c > WARMEST_STORAGE_C:
        warnings.append(SoftWarning("storage_too_warm", _(
            "Stored at %(t)s °C, warmer than −70 °C (protocol 2.12: −80 °C).") % {"t": b.storage_temp_c},
            "storage_temp_c"))
    delay = b.frozen_at - b.collected_at
    if delay > MAX_TO_FREEZER:
        warnings.append(SoftWarning("frozen_late", _(
            "Frozen %(h)s hours after collection (more than 2 hours).") % {
            "h": f"{delay.total_seconds() / 3600:.1f}"}, "frozen_at"))
    collected_on = timezone.localtime(b.collected_at, ZoneInfo(b.participant.site.timezone)).date()
    if not b.visit.window_start <= collected_on <= b.visit.window_end:
        warnings.append(SoftWarning("outside_window", _(
            "Collected on %(d)s, outside the %(visit)s window (%(start)s to %(end)s).") % {
            "d": collected_on, "visit": b.visit.label, "start": b.visit.window_start,
            "end": b.visit.window_end}, "collected_at"))
    return warnings


def explain(b: Biospecimen) -> list[str]:
    consent = _consent(b)
    minutes = int((b.frozen_at - b.collected_at).total_seconds() // 60)
    return [
        _("Biospecimen consent version %(v)s given %(t)s (protocol 2.12).") % {
            "v": consent.form_version,
            "t": timezone.localtime(consent.consented_at).strftime("%Y-%m-%d %H:%M")}
        if consent else _("No biospecimen consent recorded."),
        _("Collection to freezer: %(m)d minutes (a warning above 120).") % {"m": minutes},
    ]


register(CrfType(key="biospecimen", label=_lazy("Biospecimens"), model=Biospecimen, form=BiospecimenForm,
                 hard_checks=hard_checks, soft_checks=soft_checks, explain=explain, order=55))
