"""Pregnancy test before each infusion (protocol 2.2 exclusion 2, 2.5.3: pregnancy stops the
intervention)."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import CrfModel


class PregnancyResult(models.TextChoices):
    NEGATIVE = "negative", _("Negative")
    POSITIVE = "positive", _("Positive")
    NOT_DONE = "not_done", _("Not done")
    NOT_APPLICABLE = "not_applicable", _("Not applicable (male participant)")


class PregnancyTest(CrfModel):
    crf_key = "pregnancy"

    test_date = models.DateField(_("Test date"), null=True, blank=True)
    result = models.CharField(_("Result"), max_length=20, choices=PregnancyResult.choices)
    not_done_reason = models.CharField(_("Reason not done"), max_length=300, blank=True)

    class Meta(CrfModel.Meta):
        verbose_name = _("pregnancy test")
        verbose_name_plural = _("pregnancy tests")

    def __str__(self) -> str:
        return str(self.get_result_display())
