"""The one predicate that decides who may see an arm (ARCHITECTURE.md rule 1).

Unblinded roles (randomization administrator, pharmacist) see every arm. Anyone else sees one
participant's arm only after requesting that participant's emergency unblinding themselves.
"""
from edc.access import has_any_role
from edc.roles import UNBLINDED_ROLES


def may_see_arm(user, participant=None) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if has_any_role(user, UNBLINDED_ROLES):
        return True
    if participant is None:
        return False
    from randomization.models import EmergencyUnblinding

    return EmergencyUnblinding.objects.filter(participant=participant, requested_by=user).exists()


def arm_label_for(user, participant) -> str | None:
    """The arm's label if `user` may see it, else None. The only way a page gets an arm."""
    if not may_see_arm(user, participant):
        return None
    randomization = getattr(participant, "randomization", None)
    if randomization is None:
        return None
    return randomization.row.get_arm_display()
