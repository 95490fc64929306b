"""What the crf module shows on the participant page (edc.extensions)."""
from django.db.models import Count
from django.utils import timezone

from crf import registry
from crf.selectors import visits_visible_to, week_bounds, with_status
from crf.status import due_q, status_q


def participant_panel(request, p):
    if not hasattr(p, "randomization"):
        return None
    visits = list(with_status(p.visits.all(), timezone.localdate()).order_by("month"))
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


def home_card(request):
    """Visit and query counts for the user's sites (two queries)."""
    today = timezone.localdate()
    _, week_end = week_bounds(today)
    due, overdue, missed = due_q(today, week_end), status_q("overdue", today), status_q("missed", today)
    # Only the visits counted are read (the partial indexes of crf.Visit serve each arm).
    counts = visits_visible_to(request.user).filter(due | overdue | missed).aggregate(
        due=Count("id", filter=due), overdue=Count("id", filter=overdue), missed=Count("id", filter=missed))
    from crf.views.review import open_query_counts
    counts.update({f"queries_{k}": v for k, v in open_query_counts(request.user).items()})
    from edc import roles
    from edc.access import has_any_role
    counts["site_staff"] = has_any_role(request.user, roles.SITE_STAFF)  # who sees the card (edc.roles)
    return counts
