"""Participant list, detail and audit trail; always within the user's sites."""
from django.core.paginator import Paginator
from django.shortcuts import render

from edc import roles
from edc.access import allow, has_any_role
from edc.criteria import describe
from edc.extensions import PARTICIPANT_PANELS, render_panels
from edc.models import ConsentKind, ParticipantStatus
from edc.selectors.audit_trail import participant_audit_trail
from edc.selectors.eligibility import criterion_rows
from edc.selectors.participants import get_participant_for, participant_list
from edc.views.access_log import READERS

PAGE_SIZE = 50


@allow(roles.SITE_STAFF)
def participants(request):
    status = request.GET.get("status", "")
    if status not in ParticipantStatus.values:
        status = ""
    search = request.GET.get("q", "").strip()[:40]
    page = Paginator(participant_list(request.user, status=status, search=search), PAGE_SIZE)
    return render(request, "edc/participant_list.html", {
        "page": page.get_page(request.GET.get("page")), "status": status, "q": search,
        "statuses": ParticipantStatus.choices,
    })


@allow(roles.SITE_STAFF)
def participant_detail(request, pk):
    participant = get_participant_for(request.user, pk)
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
