"""Figures for the home dashboard: screened, screen-failed, enrolled, enrolment over time."""
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from edc.models import ParticipantStatus

from .participants import participants_visible_to


@dataclass(frozen=True)
class Recruitment:
    screened: int
    screen_failed: int
    in_screening: int
    enrolled: int
    target: int
    by_month: list[tuple[date, int]]  # (first day of month, enrolled that month)


TRIAL_TARGET = 96  # protocol 1.3: 96 participants


def recruitment(user) -> Recruitment:
    qs = participants_visible_to(user)
    counts = qs.aggregate(
        screened=Count("id"),
        failed=Count("id", filter=Q(status=ParticipantStatus.SCREEN_FAILED)),
        enrolled=Count("id", filter=Q(status=ParticipantStatus.ENROLLED)),
        screening=Count("id", filter=Q(status=ParticipantStatus.SCREENING)),
    )
    months = (qs.filter(status=ParticipantStatus.ENROLLED)
              .annotate(month=TruncMonth("enrolled_at")).values("month")
              .annotate(n=Count("id")).order_by("month"))
    return Recruitment(screened=counts["screened"], screen_failed=counts["failed"],
                       in_screening=counts["screening"], enrolled=counts["enrolled"],
                       target=TRIAL_TARGET,
                       by_month=[(row["month"].date(), row["n"]) for row in months])
