"""Infusion administration at months 0 and 6 (protocol 2.5: 100 mL IV over more than 30 minutes).

Only what the ward sees is recorded: the blind code read off the bag label (protocol 2.8: the label
is the bags' only difference), times, volume and any reaction. Nothing here can tell the arm."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import CrfModel


class InfusionAdministration(CrfModel):
    bag_blind_code = models.CharField(_("Blind code on the bag label"), max_length=20)
    started_at = models.DateTimeField(_("Infusion started at"))
    ended_at = models.DateTimeField(_("Infusion ended at"))
    volume_ml = models.PositiveSmallIntegerField(_("Volume infused (mL)"))
    infusion_reaction = models.BooleanField(_("Infusion reaction"), default=False)
    reaction_description = models.TextField(_("Describe the reaction"), blank=True)

    crf_key = "infusion"

    class Meta(CrfModel.Meta):
        verbose_name = _("infusion administration")
        verbose_name_plural = _("infusion administrations")

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.volume_ml} mL"
