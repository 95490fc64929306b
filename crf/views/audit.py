"""Audit trail views for an inspector: per form, and per participant as CSV."""
import csv

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from crf.models import Query
from crf.selectors import get_form_for
from crf.services.review import covering_signatures
from edc import roles
from edc.access import allow
from edc.csv_cells import safe_row
from edc.selectors.audit_trail import participant_audit_trail
from edc.selectors.participants import get_participant_for


@allow(roles.SITE_STAFF)
def crf_audit(request, key, object_pk):
    crf_type, obj = get_form_for(request.user, key, object_pk)
    query_ids = set(Query.objects.filter(object_id=obj.pk).values_list("id", flat=True))
    entries = [e for e in participant_audit_trail(obj.participant) if e.object_id in query_ids | {obj.pk}]
    signatures = covering_signatures(obj).model.objects.filter(participant=obj.participant).select_related("signer")
    return render(request, "crf/crf_audit.html", {
        "crf": crf_type, "obj": obj, "p": obj.participant, "entries": entries,
        "signatures": [s for s in signatures if s.scope == "casebook" or s.object_id == obj.pk
                       or (s.scope == "visit" and s.visit_id == getattr(obj, "visit_id", None))]})


@allow(roles.SITE_STAFF)
def participant_audit_csv(request, pk):
    participant = get_participant_for(request.user, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{participant.label}.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 (Chinese text) only with a BOM
    writer = csv.writer(response)
    writer.writerow(["when (site time)", "who", "record", "action", "field", "old", "new", "why"])
    for e in participant_audit_trail(participant):
        when = timezone.localtime(e.when).strftime("%Y-%m-%d %H:%M:%S")
        for c in e.changes or [None]:
            writer.writerow(safe_row([when, e.who, e.record, e.action, c.field if c else "",
                                      c.old if c else "", c.new if c else "", e.reason]))
    return response
