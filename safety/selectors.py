"""Reads of the safety module, scoped to the user's sites."""
from collections import Counter

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from edc.read_log import note_read
from safety.models import AdverseEvent, SaeCase, SaeObligation


def cases_visible_to(user) -> QuerySet[SaeCase]:
    return SaeCase.objects.filter(participant__site__staff=user)


def get_case_for(user, pk) -> SaeCase:
    try:
        case = cases_visible_to(user).select_related(
            "adverse_event__reported_by", "participant__site", "participant__randomization").get(pk=pk)
    except SaeCase.DoesNotExist:
        raise Http404
    note_read(user, case.participant_id)  # the read-access log (edc.read_log)
    return case


def get_ae_for(user, pk) -> AdverseEvent:
    try:
        ae = AdverseEvent.objects.filter(participant__site__staff=user).select_related(
            "participant__site").get(pk=pk)
    except AdverseEvent.DoesNotExist:
        raise Http404
    note_read(user, ae.participant_id)  # the read-access log (edc.read_log)
    return ae


def open_cases(user) -> list[SaeCase]:
    """SAE cases with at least one obligation still to meet, most urgent first."""
    obligations = SaeObligation.objects.select_related("policy").order_by("due_at")
    cases = (cases_visible_to(user).filter(obligations__met_at__isnull=True).distinct()
             .select_related("adverse_event", "participant")
             .prefetch_related(Prefetch("obligations", queryset=obligations)))
    now = timezone.now()
    out = list(cases)
    for case in out:
        case.open_obligations = [o for o in case.obligations.all() if o.met_at is None]
        case.next_due = min(o.due_at for o in case.open_obligations)
        case.overdue = any(o.due_at < now for o in case.open_obligations)
    return sorted(out, key=lambda c: c.next_due)


def ae_listing(user, participant=None) -> QuerySet[AdverseEvent]:
    qs = AdverseEvent.objects.filter(participant__site__staff=user).select_related("participant")
    if participant is not None:
        qs = qs.filter(participant=participant)
    return qs.order_by("participant__participant_code", "-grade", "soc", "onset_date")


def grade_by_soc(aes) -> tuple[list[int], list[tuple[str, list[int]]]]:
    """Counts of AEs by SOC (rows) and grade 1-5 (columns), for the listing's summary table."""
    counts = Counter((ae.soc, ae.grade) for ae in aes)
    socs = sorted({soc for soc, _ in counts})
    grades = [1, 2, 3, 4, 5]
    return grades, [(soc, [counts.get((soc, g), 0) for g in grades]) for soc in socs]


def alert_log(case: SaeCase) -> list:
    """The case's alerts with each delivery and every attempt (three queries): who was told, when,
    by which channel, the Message-ID, and attempts whose outcome was lost with a worker."""
    from edc.models import Delivery, DeliveryAttempt, Notification

    deliveries = Delivery.objects.order_by("channel").prefetch_related(
        Prefetch("attempt_log", queryset=DeliveryAttempt.objects.order_by("at", "pk")))
    return list(Notification.objects.filter(kind="sae", dedupe_key__startswith=f"sae:{case.pk}:")
                .order_by("created_at", "recipient_label")
                .prefetch_related(Prefetch("deliveries", queryset=deliveries)))
