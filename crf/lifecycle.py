"""Where a participant is in the trial, derived from the records (docs/DAILY_USE.md, "Lifecycle
status"): one rule for pages and SQL, as crf/status.py is for visits.

`lifecycle_status()` is the pure rule over a handful of facts; `annotate_lifecycle()` computes the
same facts and the same rule in one SQL expression, so the participant list filters, sorts and counts
by status in the database with a fixed number of queries however many participants there are.
tests/crf/test_lifecycle.py pins the two equal for every combination of the facts.

The facts: the screening status (edc.Participant.status), randomized (a Randomization row), infused
(an infusion form saved), the treatment visit closed (the month-6 visit, infusion 2 per protocol 1.3,
has a date or is marked missed), the final visit done (month 60), the discontinuation reason (protocol
2.5.3; "withdrew consent" is a withdrawal), died (a death report), and the number of visits marked
missed since the last visit that took place.
"""
from django.db.models import Case, CharField, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from crf.schedule import SCHEDULE

IN_SCREENING, SCREEN_FAILURE, ENROLLED, RANDOMIZED = "in_screening", "screen_failure", "enrolled", "randomized"
ON_TREATMENT, IN_FOLLOW_UP, COMPLETED = "on_treatment", "in_follow_up", "completed"
DISCONTINUED, WITHDRAWN, LOST, DIED = "treatment_discontinued", "withdrawn", "lost_to_follow_up", "died"

# In trial order: the order of the filter and of sorting by status.
CHOICES = (
    (IN_SCREENING, _("In screening")),
    (SCREEN_FAILURE, _("Screen failure")),
    (ENROLLED, _("Enrolled, awaiting randomization")),
    (RANDOMIZED, _("Randomized, awaiting infusion")),
    (ON_TREATMENT, _("On treatment")),
    (IN_FOLLOW_UP, _("In follow-up")),
    (COMPLETED, _("Completed")),
    (DISCONTINUED, _("Treatment discontinued")),
    (WITHDRAWN, _("Withdrawn")),
    (LOST, _("Lost to follow-up")),
    (DIED, _("Died")),
)
LABELS = dict(CHOICES)
RANK = {value: n for n, (value, _label) in enumerate(CHOICES)}
TREATMENT_VISIT = "m6"  # infusion 2 (protocol 1.3): the treatment course ends with it
FINAL_VISIT = SCHEDULE[-1].code  # month 60
LOST_AFTER_MISSED = 2  # consecutive missed visits with nothing since: lost to follow-up
WITHDREW_CONSENT = "withdrew_consent"  # crf.models.DiscontinuationReason.WITHDREW_CONSENT


def lifecycle_status(*, screening_status: str, randomized: bool, infused: bool, treatment_visit_closed: bool,
                     final_visit_done: bool, discontinuation_reason: str | None, died: bool,
                     missed_since_last_done: int) -> str:
    """The first that holds, in this order: a death, a withdrawal of consent, the final visit done,
    two visits missed in a row with none since, a discontinuation of the intervention; otherwise how
    far along the path the participant is."""
    if screening_status == "screening":
        return IN_SCREENING
    if screening_status == "screen_failed":
        return SCREEN_FAILURE
    if died:
        return DIED
    if discontinuation_reason == WITHDREW_CONSENT:
        return WITHDRAWN
    if final_visit_done:
        return COMPLETED
    if missed_since_last_done >= LOST_AFTER_MISSED:
        return LOST
    if discontinuation_reason:
        return DISCONTINUED
    if not randomized:
        return ENROLLED
    if not infused:
        return RANDOMIZED
    if not treatment_visit_closed:
        return ON_TREATMENT
    return IN_FOLLOW_UP


def _facts() -> dict:
    """The facts of lifecycle_status() as SQL expressions on crf.Visit's and the forms' tables."""
    from crf.models import Death, Discontinuation, InfusionAdministration, Visit
    from randomization.models import Randomization

    mine = {"participant": OuterRef("pk")}
    # Missed visits with no done visit after them: missed ones later than the last done visit. One pass
    # over the participant's own visits (its index), with the conditions as FILTERs: a per-visit
    # "done later?" subquery made the planner intersect a trial-wide index once per participant
    # (seconds at 10,000 participants).
    last_done = (Visit.objects.filter(participant=OuterRef(OuterRef("pk")), visit_date__isnull=False)
                 .order_by("-month").values("month")[:1])
    missed_tail = (Visit.objects.filter(**mine).order_by().values("participant").annotate(
        n=Count("pk", filter=Q(visit_date__isnull=True) & ~Q(missed_reason="")
                & Q(month__gt=Coalesce(Subquery(last_done), Value(-1))))).values("n"))
    closed = Q(visit_date__isnull=False) | ~Q(missed_reason="")
    return {
        "lc_randomized": Exists(Randomization.objects.filter(**mine)),
        "lc_infused": Exists(InfusionAdministration.objects.filter(**mine)),
        "lc_treatment_closed": Exists(Visit.objects.filter(closed, code=TREATMENT_VISIT, **mine)),
        "lc_final_done": Exists(Visit.objects.filter(code=FINAL_VISIT, visit_date__isnull=False, **mine)),
        "lc_discontinuation": Subquery(Discontinuation.objects.filter(**mine).values("reason")[:1]),
        "lc_died": Exists(Death.objects.filter(**mine)),
        "lc_missed_tail": Coalesce(Subquery(missed_tail[:1], output_field=IntegerField()), 0),
    }


def _rule() -> list[tuple[Q, str]]:
    """lifecycle_status() as (condition, status) pairs on the annotated facts, in the same order."""
    return [
        (Q(status="screening"), IN_SCREENING),
        (Q(status="screen_failed"), SCREEN_FAILURE),
        (Q(lc_died=True), DIED),
        (Q(lc_discontinuation=WITHDREW_CONSENT), WITHDRAWN),
        (Q(lc_final_done=True), COMPLETED),
        (Q(lc_missed_tail__gte=LOST_AFTER_MISSED), LOST),
        (Q(lc_discontinuation__isnull=False), DISCONTINUED),
        (Q(lc_randomized=False), ENROLLED),
        (Q(lc_infused=False), RANDOMIZED),
        (Q(lc_treatment_closed=False), ON_TREATMENT),
    ]


def annotate_lifecycle(qs: QuerySet) -> QuerySet:
    """Participants with `lifecycle` (the status) and `lifecycle_rank` (its place in CHOICES)."""
    rule = _rule()
    return qs.annotate(**_facts()).annotate(
        lifecycle=Case(*(When(q, then=Value(s)) for q, s in rule), default=Value(IN_FOLLOW_UP),
                       output_field=CharField()),
        lifecycle_rank=Case(*(When(q, then=Value(RANK[s])) for q, s in rule), default=Value(RANK[IN_FOLLOW_UP]),
                            output_field=IntegerField()))


def facts_of(participant) -> dict:
    """The facts of one annotated participant, as lifecycle_status() takes them."""
    return {"screening_status": participant.status, "randomized": participant.lc_randomized,
            "infused": participant.lc_infused, "treatment_visit_closed": participant.lc_treatment_closed,
            "final_visit_done": participant.lc_final_done,
            "discontinuation_reason": participant.lc_discontinuation, "died": participant.lc_died,
            "missed_since_last_done": participant.lc_missed_tail}
