"""Discontinuation of the allocated intervention (protocol 2.5.3); at most one per participant."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import CrfLogModel


class DiscontinuationReason(models.TextChoices):
    ADVERSE_REACTION = "adverse_reaction", _("Serious adverse reaction (e.g. allergy)")
    SEVERE_INFECTION = "severe_infection", _("Severe infection (e.g. pneumonia)")
    NO_RESPONSE_M6 = "no_response_m6", _("No partial response at month 6")
    PREGNANCY = "pregnancy", _("Pregnancy")
    INVESTIGATOR = "investigator", _("Investigator decision — other")
    WITHDREW_CONSENT = "withdrew_consent", _("Participant withdrew consent")


class Discontinuation(CrfLogModel):
    crf_key = "discontinuation"

    date = models.DateField(_("Date of discontinuation"))
    reason = models.CharField(_("Reason (protocol 2.5.3)"), max_length=30,
                              choices=DiscontinuationReason.choices)
    details = models.TextField(_("Details"), blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["participant"],
                                               name="one_discontinuation_per_participant")]
        verbose_name = _("discontinuation")
        verbose_name_plural = _("discontinuations")

    def __str__(self) -> str:
        return f"{self.date}: {self.get_reason_display()}"
