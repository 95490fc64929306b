"""What the crf module shows on the participant page (edc.extensions)."""
from django.db.models import Count
from django.utils import timezone

from crf import registry
from crf.schedule import BY_CODE
from crf.selectors import due_horizon, open_query_counts, visits_visible_to, with_status
from crf.status import due_q, status_q


def participant_panel(request, p):
    if not hasattr(p, "randomization"):
        return None
    visits = list(with_status(p.visits.all(), timezone.localdate()).order_by("month"))
    progress = visit_progress(p)
    for v in visits:
        v.due_forms = len(BY_CODE[v.code].crfs)
        v.entered, v.completed = progress.get(v.pk, (0, 0))
    upcoming = next((v for v in visits if v.status in ("open", "scheduled", "overdue")), None)
    from crf.models import Query, Scope
    from edc import roles
    from edc.access import user_roles
    mine = user_roles(request.user)
    return {"p": p, "visits": visits, "next": upcoming, "logs": [t for t in registry.ordered() if t.log],
            "open_queries": Query.objects.filter(participant=p).exclude(status=Query.Status.CLOSED).count(),
            "casebook_signatures": p.signatures.filter(scope=Scope.CASEBOOK).order_by("-signed_at")[:3],
            "casebook_locked": p.locks.filter(scope=Scope.CASEBOOK, unlocked_at__isnull=True).first(),
            "can_sign": roles.PRINCIPAL_INVESTIGATOR in mine, "can_lock": roles.DATA_MANAGER in mine}


def visit_progress(p) -> dict:
    """{visit id: (forms entered, forms complete)} of the forms the schedule lists at each visit, in
    one query over every eCRF table (UNION ALL), however many visits and forms there are."""
    parts = [t.model.objects.filter(participant=p).values("visit_id", "status").order_by()
             for t in registry.ordered() if not t.log]
    if not parts:
        return {}
    out: dict = {}
    for row in parts[0].union(*parts[1:], all=True):
        entered, complete = out.get(row["visit_id"], (0, 0))
        out[row["visit_id"]] = (entered + 1, complete + (row["status"] != "in_progress"))
    return out


def lifecycle_card(request):
    """How many of the user's participants are at each lifecycle status (one query)."""
    from crf.lifecycle import CHOICES, annotate_lifecycle
    from edc.selectors.participants import participants_visible_to

    counts = dict(annotate_lifecycle(participants_visible_to(request.user)).order_by()
                  .values_list("lifecycle").annotate(n=Count("id")))
    if not counts:
        return None
    return {"rows": [(value, label, counts.get(value, 0)) for value, label in CHOICES]}


def home_card(request):
    """Visit and query counts for the user's sites (two queries)."""
    today = timezone.localdate()
    due, overdue, missed = due_q(today, due_horizon(today)), status_q("overdue", today), status_q("missed", today)
    # Only the visits counted are read (the partial indexes of crf.Visit serve each arm).
    counts = visits_visible_to(request.user).filter(due | overdue | missed).aggregate(
        due=Count("id", filter=due), overdue=Count("id", filter=overdue), missed=Count("id", filter=missed))
    counts.update({f"queries_{k}": v for k, v in open_query_counts(request.user).items()})
    from edc import roles
    from edc.access import has_any_role
    counts["site_staff"] = has_any_role(request.user, roles.SITE_STAFF)  # who sees the card (edc.roles)
    return counts
