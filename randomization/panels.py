"""What the randomization module shows on the core's pages (edc.extensions)."""
from edc import roles
from edc.access import has_any_role
from randomization.blinding import arm_label_for


def participant_panel(request, p):
    if not p.is_enrolled:
        return None
    user = request.user
    randomization = getattr(p, "randomization", None)
    return {
        "p": p, "randomization": randomization,
        "unblinding": getattr(p, "emergency_unblinding", None),
        "arm": arm_label_for(user, p, "participant page"),  # None unless this user may see it
        "can_randomize": randomization is None and has_any_role(user, roles.INVESTIGATORS),
        "can_unblind": randomization is not None and has_any_role(user, roles.INVESTIGATORS),
    }


def home_card(request):
    user = request.user
    if has_any_role(user, {roles.RANDOMIZATION_ADMIN, roles.PHARMACIST}):
        return {"admin": has_any_role(user, {roles.RANDOMIZATION_ADMIN}),
                "pharmacist": has_any_role(user, {roles.PHARMACIST})}
    return None
