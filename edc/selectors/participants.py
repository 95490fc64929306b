"""Reads of participants, always scoped to the user's sites (docs/ARCHITECTURE.md rule 6)."""
from django.db.models import QuerySet
from django.http import Http404

from edc.extensions import with_lifecycle
from edc.models import Participant, Site
from edc.read_log import note_read
from edc.sites import note_member


def sites_of(user) -> QuerySet[Site]:
    return Site.objects.filter(staff=user)


def participants_visible_to(user) -> QuerySet[Participant]:
    return Participant.objects.filter(site__staff=user).select_related("site")


def get_participant_for(user, pk) -> Participant:
    """The participant if the user works at its site; otherwise 404, never 403 (no existence leak)."""
    try:
        participant = participants_visible_to(user).get(pk=pk)
    except (Participant.DoesNotExist, ValueError):
        raise Http404
    note_read(user, participant.pk)  # the read-access log (edc.read_log)
    note_member(user, participant.site)  # loaded through the user's membership
    return participant


# ?sort= values of the participant list -> ORDER BY (the last key makes the order total)
SORTS = {
    "id": ("participant_code", "screening_number"), "-id": ("-participant_code", "-screening_number"),
    "screened": ("screening_date", "created_at"), "-screened": ("-screening_date", "-created_at"),
    "status": ("lifecycle_rank", "participant_code", "screening_number"),
    "-status": ("-lifecycle_rank", "participant_code", "screening_number"),
    "site": ("site__name", "screening_number"), "-site": ("-site__name", "screening_number"),
    "enrolled": ("enrolled_at", "screening_number"), "-enrolled": ("-enrolled_at", "screening_number"),
}


def participant_list(user, *, status: str = "", search: str = "", sort: str = "") -> QuerySet[Participant]:
    """The user's participants with their lifecycle status (edc.extensions.with_lifecycle), filtered
    by it and sorted in the database: one query for a page, one to count, whatever the number."""
    qs = with_lifecycle(participants_visible_to(user))
    if status:
        qs = qs.filter(lifecycle=status)
    if search:
        from django.db.models import Q
        qs = qs.filter(Q(participant_code__icontains=search) | Q(screening_number__icontains=search)
                       | Q(initials__icontains=search))
    return qs.order_by(*SORTS.get(sort, ("-created_at",)))


def get_participant_with_lifecycle(user, pk) -> Participant:
    """get_participant_for() with the lifecycle status annotated (the same single query), the read
    logged as there (edc.read_log)."""
    try:
        participant = with_lifecycle(participants_visible_to(user)).get(pk=pk)
    except (Participant.DoesNotExist, ValueError):
        raise Http404
    note_read(user, participant.pk)  # the read-access log (edc.read_log)
    note_member(user, participant.site)  # loaded through the user's membership
    return participant
