"""Reads of the prednisone dose log (protocol 2.5.2): the dose in force on a day, the dose at
month 6, and the body weight the mg/kg check uses."""
from datetime import date
from decimal import Decimal

from crf.models import PrednisoneDose
from edc.models import Participant
from edc.sites import site_today


def row_in_force(participant: Participant, day: date) -> PrednisoneDose | None:
    """The dose row in force on `day`: the latest start date on or before it (a dose holds until
    the next row starts)."""
    return (PrednisoneDose.objects.filter(participant=participant, start_date__lte=day)
            .order_by("-start_date", "-created_at").first())


def dose_on(participant: Participant, day: date) -> Decimal | None:
    """The daily prednisone dose (mg/day) in force on `day`; None before the first recorded dose."""
    row = row_in_force(participant, day)
    return row.dose_mg_day if row else None


def month6_target(participant: Participant) -> date | None:
    visit = participant.visits.filter(code="m6").only("target_date").first()
    return visit.target_date if visit else None


def month6_day(participant: Participant) -> date | None:
    """The day "at month 6" means (protocol 2.5.2: below 5 mg/day by month 6): the month-6 visit's
    date once recorded, else its target date."""
    visit = participant.visits.filter(code="m6").only("target_date", "visit_date").first()
    if visit is None:
        return None
    return visit.visit_date or visit.target_date


def row_at_month6(participant: Participant) -> PrednisoneDose | None:
    """The dose row in force on the month-6 day, once that day has come (before it, a later taper
    may still be recorded); None otherwise."""
    day = month6_day(participant)
    if day is None or site_today(participant.site) < day:
        return None
    return row_in_force(participant, day)


def in_force_at_month6(dose: PrednisoneDose) -> bool:
    """Whether this row (saved or about to be) is the one in force on the month-6 day, judged only
    once that day has come."""
    target = month6_day(dose.participant)
    if target is None or dose.start_date is None or dose.start_date > target:
        return False
    if site_today(dose.participant.site) < target:
        return False
    later = PrednisoneDose.objects.filter(participant=dose.participant, start_date__gt=dose.start_date,
                                          start_date__lte=target)
    if dose.pk:
        later = later.exclude(pk=dose.pk)
    return not later.exists()


def vitals_weight(participant: Participant, on: date) -> tuple[Decimal, object] | None:
    """The latest vital-signs weight measured on or before `on`, with its visit; None when the
    vital-signs form does not exist (yet) or has no weight by then."""
    try:
        from crf.models.vitals import VitalSigns
    except ImportError:  # engineer A's form may not be installed
        return None
    row = (VitalSigns.objects.filter(participant=participant, measured_on__lte=on, weight_kg__isnull=False)
           .select_related("visit").order_by("-measured_on").first())
    return (row.weight_kg, row) if row else None
