"""Death report; at most one per participant. Causality on the NMPA six-level scale belongs to the
safety module; here the investigator's assessment is free text."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import CrfLogModel


class Death(CrfLogModel):
    crf_key = "death"

    date = models.DateField(_("Date of death"))
    cause = models.TextField(_("Cause of death"))
    relatedness = models.TextField(_("Relation to the study intervention (investigator's assessment)"))
    autopsy = models.BooleanField(_("Autopsy performed"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["participant"], name="one_death_per_participant")]
        verbose_name = _("death")
        verbose_name_plural = _("deaths")

    def __str__(self) -> str:
        return f"{self.date}: {self.cause[:60]}"
