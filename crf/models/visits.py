"""Visits: created from the schedule when a participant is randomized (crf.schedule)."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from edc.models import ClinicalModel, Participant


class VisitStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    OPEN = "open", _("Open (in window)")
    OVERDUE = "overdue", _("Overdue")
    DONE = "done", _("Done")
    MISSED = "missed", _("Missed")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class Visit(ClinicalModel):
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="visits")
    code = models.CharField(_("visit"), max_length=8)
    month = models.PositiveSmallIntegerField(_("month"))
    target_date = models.DateField(_("target date"))
    window_start = models.DateField(_("window opens"))
    window_end = models.DateField(_("window closes"))
    visit_date = models.DateField(_("visit date"), null=True, blank=True)
    missed_reason = models.CharField(_("reason missed"), max_length=300, blank=True)
    not_applicable = models.BooleanField(_("not applicable (after discontinuation)"), default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="+")

    class Meta:
        ordering = ["participant", "month"]
        constraints = [models.UniqueConstraint(fields=["participant", "code"], name="one_visit_per_code")]
        indexes = [models.Index(fields=["window_start", "window_end"]),
                   models.Index(fields=["visit_date"]),
                   # The worklist and the home card (crf.status.status_q): visits still to be
                   # recorded by target date, and missed visits, without reading the done ones.
                   models.Index(fields=["target_date"], name="visit_pending_by_target",
                                condition=models.Q(visit_date__isnull=True, missed_reason="",
                                                   not_applicable=False)),
                   models.Index(fields=["target_date"], name="visit_missed_by_target",
                                condition=models.Q(visit_date__isnull=True) & ~models.Q(missed_reason=""))]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")

    def __str__(self) -> str:
        return f"{self.participant} {self.label}"

    @property
    def label(self) -> str:
        return _("Month %(m)d") % {"m": self.month}
