"""The base of every eCRF: one per visit (or many for logs), audited, with the soft edit-check
warnings the user saved anyway (they become automatic queries)."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from edc.models import ClinicalModel, Participant

from .visits import Visit


class CrfStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETE = "complete", _("Complete")


class ReviewedForm(ClinicalModel):
    """What every form carries for data quality: its entry status and source-data
    verification. Signatures and locks live in their own tables (crf.models.quality) because they
    can cover a visit or a whole casebook."""

    status = models.CharField(_("form status"), max_length=20, choices=CrfStatus.choices,
                              default=CrfStatus.COMPLETE)
    soft_warnings = models.JSONField(_("warnings saved anyway"), default=list, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("verified by"))
    verified_at = models.DateTimeField(_("source data verified at"), null=True, blank=True)
    verified_fields = models.JSONField(_("fields verified"), default=list, blank=True,
                                       help_text=_("Empty: the whole form was verified."))
    changed_since_verification = models.BooleanField(_("changed since verification"), default=False)

    class Meta:
        abstract = True


class CrfModel(ReviewedForm):
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+")
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="+")

    crf_key = ""  # the registry key, e.g. "labs"

    class Meta:
        abstract = True
        constraints = [models.UniqueConstraint(fields=["visit"], name="%(app_label)s_%(class)s_one_per_visit")]


class CrfLogModel(ReviewedForm):
    """Many rows per participant (prednisone doses, concomitant medications, deviations...),
    each entered at a visit."""

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+")
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="+", null=True, blank=True)

    crf_key = ""

    class Meta:
        abstract = True
