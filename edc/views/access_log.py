"""Who looked at whom: the read-access log of one participant and of one person (data manager,
monitor; docs/BLINDING.md "Read-access log")."""
from django.shortcuts import render

from edc import roles
from edc.access import allow
from edc.selectors.access_log import LIMIT, log_of_participant, log_of_user

READERS = roles.REVIEWERS


@allow(READERS)
def participant_log(request, pk):
    participant, rows = log_of_participant(request.user, pk)
    return render(request, "edc/access_log.html", {"p": participant, "rows": rows, "limit": LIMIT})


@allow(READERS)
def user_log(request, user_pk):
    person, rows = log_of_user(request.user, user_pk)
    return render(request, "edc/access_log.html", {"person": person, "rows": rows, "limit": LIMIT})
