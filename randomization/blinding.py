"""Who may see an arm: every read of an arm goes through this module (docs/ARCHITECTURE.md rule 1;
docs/BLINDING.md "Who sees an arm").

Two gates, and only these two:
* a person (`may_see_arm`): the unblinded roles (randomization administrator, pharmacist) see every
  arm; anyone else sees one participant's arm only after breaking that participant's code themselves
  with the arm revealed to them (a code break revealed to a named third party, the treating
  physician, leaves the requester blinded: protocol 2.8.2). Every showing of an arm through a code
  break is logged (ArmDisclosure). Pages, PDFs and the pharmacy read arms with `arm_label_for` / `arm_code_for`.
* the analysis datasets and report (`released_arm`): the arm once it is released to them, i.e. after
  database lock and a recorded release by the randomization administrator; that release is recorded by
  exports.services.release, whose answer the caller passes in.
Apart from the allocation list's own pages and services (randomization administrator only: generate,
import, append, download, balance), nothing reads `AllocationRow.arm`; tests/randomization/
test_blinding_gates.py scans the code for any other read.
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


def _row(participant):
    randomization = getattr(participant, "randomization", None)
    return None if randomization is None else randomization.row


def arm_code_for(user, participant) -> str | None:
    """The arm's code ("msc"/"placebo") if `user` may see it, else None."""
    if not may_see_arm(user, participant):
        return None
    row = _row(participant)
    return None if row is None else row.arm


def arm_label_for(user, participant, where: str = "") -> str | None:
    """The arm's label if `user` may see it, else None. The way a page gets an arm; a showing
    through a code break is logged with `where`."""
    if not may_see_arm(user, participant):
        return None
    row = _row(participant)
    if row is None:
        return None
    if not _unblinded_by_role(user):
        from randomization.models import ArmDisclosure

        ArmDisclosure.objects.create(participant=participant, user=user, where=where[:100])
    return row.get_arm_display()


def released_arm(randomization, *, released: bool) -> str | None:
    """The arm's code for the analysis datasets and report, once released to them; else None."""
    if not released or randomization is None:
        return None
    return randomization.row.arm


def arm_label_for_named_physician(record) -> str:
    """The arm for the e-mail to the treating physician named at a code break (protocol 2.8.2): the one
    arm that leaves the application for a person outside it; the requester is not shown it."""
    return record.participant.randomization.row.get_arm_display()
