"""What the safety module shows on the core's pages (edc.extensions)."""
from edc import roles
from edc.access import has_any_role
from edc.models import ConsentKind


def participant_panel(request, p):
    if not p.consents.filter(kind=ConsentKind.MAIN).exists():
        return None  # SAEs are collected from consent on (protocol 2.5.6)
    return {"p": p, "aes": list(p.adverse_events.all()),
            "can_report": has_any_role(request.user, roles.DATA_ENTRY)}
