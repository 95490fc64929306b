"""What the safety module shows on the core's pages (edc.extensions)."""
from edc import roles
from edc.access import has_any_role
from edc.models import ConsentKind


def participant_panel(request, p):
    if not p.consents.filter(kind=ConsentKind.MAIN).exists():
        return None  # SAEs are collected from consent on (protocol 2.5.6)
    return {"p": p, "aes": list(p.adverse_events.all()),
            "can_report": has_any_role(request.user, roles.DATA_ENTRY)}


HOME_CASES = 10


def home_card(request):
    """The PI's safety view on the home page: open SAEs, nearest deadline first, and what is overdue
    (two queries; only for principal investigators)."""
    if not has_any_role(request.user, {roles.PRINCIPAL_INVESTIGATOR}):
        return None
    from django.utils import timezone

    from safety.selectors import open_cases

    cases = open_cases(request.user)
    now = timezone.now()
    overdue = [(c, o) for c in cases for o in c.open_obligations if o.due_at < now]
    return {"cases": cases[:HOME_CASES], "more": max(0, len(cases) - HOME_CASES), "overdue": overdue,
            "now": now}
