"""Infusion administration eCRF (months 0 and 6; protocol 2.5, 2.8).

Safety checks before anything is saved: the blind code read off the bag must be the participant's
own, and the pharmacy must have prepared a bag for this infusion; the infusion must last more than
30 minutes (edc.clinical.dosing). Messages never say what the right code is, whose code was typed,
or anything about the bag's content: the arm and the cell count stay with the pharmacy."""
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from crf.models.infusion import InfusionAdministration
from crf.registry import CrfType, SoftWarning, register
from edc.clinical.dosing import INFUSION_VOLUME_ML, MIN_INFUSION_MINUTES, infusion_duration_ok
from edc.forms.plausibility import PlausibilityFormMixin
from edc.forms.widgets import datetime_field
from randomization.models import BagPreparation
from randomization.services import bag_rules


class InfusionForm(PlausibilityFormMixin, forms.ModelForm):
    plausibility_key = "infusion"
    started_at = datetime_field(_lazy("Infusion started at"))
    ended_at = datetime_field(_lazy("Infusion ended at"))

    class Meta:
        model = InfusionAdministration
        fields = ["bag_blind_code", "started_at", "ended_at", "volume_ml", "infusion_reaction",
                  "reaction_description"]
        widgets = {"reaction_description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bag_blind_code"].widget.attrs.update({"autocomplete": "off"})
        self.fields["infusion_reaction"] = forms.TypedChoiceField(
            label=InfusionAdministration._meta.get_field("infusion_reaction").verbose_name,
            required=True, widget=forms.RadioSelect, choices=[(True, _("Yes")), (False, _("No"))],
            coerce=lambda v: v in (True, "True"))


def _normalise(code: str) -> str:
    return (code or "").strip().upper()


def _bag(i: InfusionAdministration) -> BagPreparation | None:
    # The visit code is the infusion code ("m0"/"m6"); only the bag's existence and time are read.
    return (BagPreparation.objects.filter(participant=i.participant, infusion=i.visit.code)
            .only("id", "prepared_at").first())


def _local(i: InfusionAdministration, moment) -> str:
    """In the site's zone (docs/ARCHITECTURE.md: stored in UTC, shown in site time)."""
    return timezone.localtime(moment, ZoneInfo(i.participant.site.timezone)).strftime("%Y-%m-%d %H:%M")


def derive(i: InfusionAdministration) -> None:
    i.bag_blind_code = _normalise(i.bag_blind_code)  # labels print upper case; typing may not


def hard_checks(i: InfusionAdministration) -> dict[str, str]:
    errors = {}
    if i.bag_blind_code != _normalise(i.participant.randomization.blind_code):
        errors["bag_blind_code"] = _("This is not the blind code of this participant's bag. Do not "
                                     "infuse: check the bag and the participant with the pharmacy.")
    bag = _bag(i)
    if bag is None:
        errors["__all__"] = _("The pharmacy has not recorded a bag prepared for this infusion. Do not "
                              "infuse until the bag preparation is recorded.")
    now = timezone.now()
    for name in ("started_at", "ended_at"):
        if getattr(i, name) and getattr(i, name) > now:
            errors[name] = _("This time is in the future.")
    if "started_at" not in errors and bag and i.started_at \
            and i.started_at < bag.prepared_at.replace(second=0, microsecond=0):
        errors["started_at"] = _("The infusion cannot start before the bag was prepared (%(t)s).") % {
            "t": _local(i, bag.prepared_at)}
    elif "started_at" not in errors and bag_rules.expired_at_start(bag, i.started_at):
        errors["started_at"] = _("The bag expired at %(t)s (%(h)d hours after preparation): do not infuse "
                                 "it; ask the pharmacy for a new bag.") % {
            "t": _local(i, bag.expires_at), "h": settings.BAG_SHELF_LIFE_HOURS}
    if not {"started_at", "ended_at"} & set(errors) and i.started_at and i.ended_at:
        if i.ended_at <= i.started_at:
            errors["ended_at"] = _("The end must be after the start.")
        elif not infusion_duration_ok(i.started_at, i.ended_at):  # protocol 2.5: strictly > 30 min
            errors["ended_at"] = _("The infusion must last more than %(m)d minutes (protocol 2.5).") % {
                "m": MIN_INFUSION_MINUTES}
    if i.volume_ml == 0:
        errors["volume_ml"] = _("Enter the volume infused.")
    if i.infusion_reaction and not (i.reaction_description or "").strip():
        errors["reaction_description"] = _("Describe the infusion reaction.")
    return errors


def soft_checks(i: InfusionAdministration) -> list[SoftWarning]:
    warnings = []
    bag = _bag(i)
    if bag_rules.infusion_close_to_expiry(bag, i.started_at):
        warnings.append(SoftWarning("bag_close_to_expiry", _(
            "The infusion started less than %(m)d minutes before the bag's expiry (%(t)s).") % {
            "m": settings.BAG_EXPIRY_WARNING_MINUTES, "t": _local(i, bag.expires_at)}, "started_at"))
    if i.volume_ml != INFUSION_VOLUME_ML:
        warnings.append(SoftWarning("volume_not_100", _(
            "%(v)d mL infused; the protocol infuses the whole %(p)d mL bag (protocol 2.5).") % {
            "v": i.volume_ml, "p": INFUSION_VOLUME_ML}, "volume_ml"))
    if i.infusion_reaction:
        warnings.append(SoftWarning("reaction_ae", _(
            "An infusion reaction is recorded: report it as an adverse event too."), "infusion_reaction"))
    return warnings


def explain(i: InfusionAdministration) -> list[str]:
    minutes = int((i.ended_at - i.started_at).total_seconds() // 60)
    bag = _bag(i)
    return [
        _("The blind code on the bag matches this participant's blind code."),
        *([_("Bag prepared by the pharmacy for this infusion at %(t)s.") % {
            "t": _local(i, bag.prepared_at)}] if bag else []),
        _("Duration %(m)d minutes (must be more than %(min)d); volume %(v)d mL (protocol: %(p)d mL).") % {
            "m": minutes, "min": MIN_INFUSION_MINUTES, "v": i.volume_ml, "p": INFUSION_VOLUME_ML},
    ]


register(CrfType(key="infusion", label=_lazy("Infusion administration"), model=InfusionAdministration,
                 form=InfusionForm, derive=derive, hard_checks=hard_checks, soft_checks=soft_checks,
                 explain=explain, order=60))
