"""A person from screening on: the screening log entry, and after enrolment a trial participant.

Protocol 2.2-2.4: screening -> consent -> eligibility -> enrolment. Screen failures stay here with
their reasons, for the CONSORT diagram.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import ClinicalModel
from .sites import Site


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")


class PriorTherapy(models.TextChoices):
    """Prior first-line standard therapy: the randomization stratum factor.

    docs/DECISIONS.md, after KDIGO 2024 Rec. 10.2.3.1.1. The stratum names live in
    randomization; the clinical fact lives here.
    """

    GC_MPAA = "gc_mpaa", _("Glucocorticoid + MPAA")
    GC_CYC = "gc_cyc", _("Glucocorticoid + low-dose IV cyclophosphamide")
    GC_BELIMUMAB = "gc_belimumab", _("Glucocorticoid + belimumab (+ MPAA or CYC)")
    GC_MPAA_CNI = "gc_mpaa_cni", _("Glucocorticoid + MPAA + calcineurin inhibitor")


class ParticipantStatus(models.TextChoices):
    SCREENING = "screening", _("Screening")
    SCREEN_FAILED = "screen_failed", _("Screen failure")
    ENROLLED = "enrolled", _("Enrolled")


class Participant(ClinicalModel):
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="participants",
                             verbose_name=_("site"))
    screening_number = models.CharField(_("screening number"), max_length=20)
    screening_date = models.DateField(_("screening date"))
    initials = models.CharField(_("initials"), max_length=4)
    date_of_birth = models.DateField(_("date of birth"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    status = models.CharField(_("status"), max_length=20, choices=ParticipantStatus.choices,
                              default=ParticipantStatus.SCREENING)
    screen_failure_reasons = models.JSONField(
        _("screen failure reasons"), default=list, blank=True,
        help_text=_("Criterion codes that failed, e.g. ['inc1', 'exc5']."))
    screen_failure_note = models.TextField(_("screen failure note"), blank=True)
    participant_code = models.CharField(_("participant ID"), max_length=20, unique=True,
                                        null=True, blank=True)
    enrolment_number = models.PositiveIntegerField(null=True, blank=True, editable=False)
    enrolled_at = models.DateTimeField(_("enrolled at"), null=True, blank=True)
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")
    prior_therapy = models.CharField(_("prior first-line therapy"), max_length=20,
                                     choices=PriorTherapy.choices, blank=True)

    participant_path = "id"

    class Meta:
        ordering = ["site__code", "screening_number"]
        constraints = [
            models.UniqueConstraint(fields=["site", "screening_number"],
                                    name="unique_screening_number_per_site"),
            models.UniqueConstraint(fields=["site", "enrolment_number"],
                                    name="unique_enrolment_number_per_site"),
            models.CheckConstraint(
                condition=models.Q(status="enrolled", participant_code__isnull=False,
                                   enrolled_at__isnull=False)
                | ~models.Q(status="enrolled"),
                name="enrolled_has_participant_code",
            ),
        ]
        indexes = [models.Index(fields=["site", "status"]),
                   models.Index(fields=["enrolled_at"])]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self) -> str:
        return self.participant_code or f"{self.site.participant_prefix}-S{self.screening_number}"

    @property
    def label(self) -> str:
        """What a page calls this person: the participant ID once enrolled, else the screening no.
        with an "S-" in front, unless the site's numbers already start with it (no "S-S-001")."""
        if self.participant_code:
            return self.participant_code
        number = self.screening_number
        return number if number.upper().startswith("S-") else f"S-{number}"

    @property
    def is_enrolled(self) -> bool:
        return self.status == ParticipantStatus.ENROLLED
