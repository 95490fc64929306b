"""Reads of participants, always scoped to the user's sites (ARCHITECTURE.md rule 6)."""
from django.db.models import QuerySet
from django.http import Http404

from edc.models import Participant, Site
from edc.read_log import note_read


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
    return participant


def participant_list(user, *, status: str = "", search: str = "") -> QuerySet[Participant]:
    qs = participants_visible_to(user).select_related("eligibility").prefetch_related("consents")
    if status:
        qs = qs.filter(status=status)
    if search:
        from django.db.models import Q
        qs = qs.filter(Q(participant_code__icontains=search) | Q(screening_number__icontains=search)
                       | Q(initials__icontains=search))
    return qs.order_by("-created_at")
