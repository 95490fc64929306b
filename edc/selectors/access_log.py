"""Reads of the read-access log (docs/BLINDING.md "Read-access log"), scoped to the reader's sites."""
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.http import Http404

from edc.models import Participant, ReadAccess
from edc.selectors.participants import participants_visible_to

LIMIT = 500  # the newest rows; older ones stay in the table (and in backups) for an inspector


def log_of_participant(viewer, pk) -> tuple[Participant, QuerySet[ReadAccess]]:
    """Who read this participant's data. Not itself logged as a read of the participant: it shows no
    clinical data. Another site's participant answers 404."""
    try:
        participant = participants_visible_to(viewer).get(pk=pk)
    except (Participant.DoesNotExist, ValueError):
        raise Http404
    rows = ReadAccess.objects.filter(participant=participant).select_related("user")
    return participant, rows[:LIMIT]


def log_of_user(viewer, user_pk) -> tuple[object, QuerySet[ReadAccess]]:
    """What one person read, limited to the viewer's sites' participants (and the person's exports).
    Someone who shares no site with the viewer answers 404."""
    User = get_user_model()
    try:
        person = User.objects.filter(sites__staff=viewer).distinct().get(pk=user_pk)
    except (User.DoesNotExist, ValueError):
        raise Http404
    rows = (ReadAccess.objects.filter(user=person)
            .filter(Q(participant__site__staff=viewer) | Q(participant__isnull=True))
            .select_related("participant", "user").distinct())
    return person, rows[:LIMIT]
