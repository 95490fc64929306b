"""Participant list, detail and audit trail; always within the user's sites."""
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.shortcuts import render

from edc import roles
from edc.access import allow, has_any_role
from edc.criteria import describe
from edc.extensions import PARTICIPANT_PANELS, lifecycle_choices, lifecycle_label, render_panels
from edc.models import ConsentKind
from edc.selectors.audit_trail import participant_audit_trail
from edc.selectors.eligibility import criterion_rows
from edc.selectors.participants import SORTS, get_participant_for, get_participant_with_lifecycle, participant_list
from edc.views.access_log import READERS

PAGE_SIZE = 50
# Links made before the lifecycle status (home page, bookmarks) name the screening statuses.
LEGACY_STATUS = {"screening": "in_screening", "screen_failed": "screen_failure"}


@allow(roles.SITE_STAFF)
def participants(request):
    choices = lifecycle_choices()
    status = request.GET.get("status", "")
    if status not in dict(choices):
        status = LEGACY_STATUS.get(status, "")
    sort = request.GET.get("sort", "")
    if sort not in SORTS:
        sort = ""
    search = request.GET.get("q", "").strip()[:40]
    page = Paginator(participant_list(request.user, status=status, search=search, sort=sort),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    for p in page:
        p.lifecycle_label = lifecycle_label(p.lifecycle)
    return render(request, "edc/participant_list.html", {
        "page": page, "status": status, "q": search, "sort": sort, "statuses": choices,
        "query": urlencode({k: v for k, v in (("status", status), ("q", search), ("sort", sort)) if v}),
        "filters": urlencode({k: v for k, v in (("status", status), ("q", search)) if v}),
    })


@allow(roles.SITE_STAFF)
def participant_detail(request, pk):
    participant = get_participant_with_lifecycle(request.user, pk)
    participant.lifecycle_label = lifecycle_label(participant.lifecycle)
    consents = {c.kind: c for c in participant.consents.select_related("obtained_by")}
    eligibility = getattr(participant, "eligibility", None)
    can_enter = has_any_role(request.user, roles.INVESTIGATORS)
    return render(request, "edc/participant_detail.html", {
        "p": participant,
        "main_consent": consents.get(ConsentKind.MAIN),
        "bio_consent": consents.get(ConsentKind.BIOSPECIMEN),
        "eligibility": eligibility,
        "failed": describe(eligibility.failed_criteria) if eligibility else [],
        "criteria": criterion_rows(eligibility) if eligibility else [],
        "screen_failure": describe(participant.screen_failure_reasons),
        "can_enter": can_enter,
        "can_edit_screening": has_any_role(request.user, roles.DATA_ENTRY),
        "panels": render_panels(PARTICIPANT_PANELS, request, participant),
    })


@allow(roles.SITE_STAFF)
def participant_audit(request, pk):
    participant = get_participant_for(request.user, pk)
    return render(request, "edc/participant_audit.html", {
        "p": participant, "entries": participant_audit_trail(participant),
        "may_read_access_log": has_any_role(request.user, READERS)})
