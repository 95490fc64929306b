"""The base of every eCRF: one per visit (or many for logs), audited, with the soft edit-check
warnings the user saved anyway (issue 4 §4; they become automatic queries in issue 6)."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from edc.models import ClinicalModel, Participant

from .visits import Visit


class CrfStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETE = "complete", _("Complete")


class CrfModel(ClinicalModel):
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+")
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("form status"), max_length=20, choices=CrfStatus.choices,
                              default=CrfStatus.COMPLETE)
    soft_warnings = models.JSONField(_("warnings saved anyway"), default=list, blank=True)

    crf_key = ""  # the registry key, e.g. "labs"

    class Meta:
        abstract = True
        constraints = [models.UniqueConstraint(fields=["visit"], name="%(app_label)s_%(class)s_one_per_visit")]


class CrfLogModel(ClinicalModel):
    """Many rows per participant (prednisone doses, concomitant medications, deviations...),
    each entered at a visit."""

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+")
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    soft_warnings = models.JSONField(_("warnings saved anyway"), default=list, blank=True)

    crf_key = ""

    class Meta:
        abstract = True
