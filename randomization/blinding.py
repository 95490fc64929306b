"""The one predicate that decides who may see an arm (ARCHITECTURE.md rule 1).

Unblinded roles (randomization administrator, pharmacist) see every arm. Anyone else sees one
participant's arm only after breaking that participant's code themselves with the arm revealed to
them; a code break revealed to a named third party (the treating physician, protocol 2.8.2) leaves
the requester blinded. Every showing of an arm through a code break is logged (ArmDisclosure).
"""
from edc.access import has_any_role
from edc.roles import UNBLINDED_ROLES


def _unblinded_by_role(user) -> bool:
    return getattr(user, "is_authenticated", False) and has_any_role(user, UNBLINDED_ROLES)


def may_see_arm(user, participant=None) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if _unblinded_by_role(user):
        return True
    if participant is None:
        return False
    from randomization.models import EmergencyUnblinding

    return EmergencyUnblinding.objects.filter(participant=participant, requested_by=user,
                                              reveal_to_email="").exists()


def arm_label_for(user, participant, where: str = "") -> str | None:
    """The arm's label if `user` may see it, else None. The only way a page gets an arm."""
    if not may_see_arm(user, participant):
        return None
    randomization = getattr(participant, "randomization", None)
    if randomization is None:
        return None
    if not _unblinded_by_role(user):
        from randomization.models import ArmDisclosure

        ArmDisclosure.objects.create(participant=participant, user=user, where=where[:100])
    return randomization.row.get_arm_display()
