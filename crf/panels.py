"""What the crf module shows on the participant page (edc.extensions)."""
from django.db.models import Count, Q
from django.utils import timezone

from crf import registry
from crf.selectors import visits_visible_to, week_bounds, with_status


def participant_panel(request, p):
    if not hasattr(p, "randomization"):
        return None
    visits = list(with_status(p.visits.all(), timezone.localdate()).order_by("month"))
    upcoming = next((v for v in visits if v.status in ("open", "scheduled", "overdue")), None)
    return {"p": p, "visits": visits, "next": upcoming, "logs": [t for t in registry.ordered() if t.log]}


def home_card(request):
    """Visit counts for the coordinator's week, at the user's sites (one query)."""
    today = timezone.localdate()
    _, week_end = week_bounds(today)
    counts = with_status(visits_visible_to(request.user), today).aggregate(
        due=Count("id", filter=Q(status__in=["open", "scheduled"], target_date__lte=week_end,
                                 window_end__gte=today)),
        overdue=Count("id", filter=Q(status="overdue")),
        missed=Count("id", filter=Q(status="missed")))
    return counts
