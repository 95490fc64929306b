"""What the crf module shows on the participant page (edc.extensions)."""
from django.utils import timezone

from crf import registry
from crf.selectors import with_status


def participant_panel(request, p):
    if not hasattr(p, "randomization"):
        return None
    visits = list(with_status(p.visits.all(), timezone.localdate()).order_by("month"))
    upcoming = next((v for v in visits if v.status in ("open", "scheduled", "overdue")), None)
    return {"p": p, "visits": visits, "next": upcoming, "logs": [t for t in registry.ordered() if t.log]}
