"""A print view of one saved form (docs/DAILY_USE.md, "Print views"): its fields and values as the
casebook shows them (crf/casebook_data.py), on a page without navigation."""
from django.contrib.auth import get_user_model
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from crf import registry
from crf.casebook_data import HIDDEN, _cap, _value
from crf.schedule import BY_CODE
from crf.selectors import get_visit_for
from crf.services.review import review_context, status_of
from crf.workflow import STATUS_LABELS
from edc import roles
from edc.access import allow


@allow(roles.SITE_STAFF)
def crf_print(request, visit_pk, key):
    visit = get_visit_for(request.user, visit_pk)
    crf_type = registry.get(key)
    if crf_type is None or crf_type.log or (key not in BY_CODE[visit.code].crfs and not crf_type.any_visit):
        raise Http404
    obj = crf_type.model.objects.filter(visit=visit).first()
    if obj is None:
        raise Http404
    model = crf_type.model
    fields = [f for f in model._meta.concrete_fields
              if f.name not in HIDDEN | set(getattr(model, "blinded_fields", ()))]
    user_ids = {getattr(obj, f.attname) for f in fields if f.is_relation and f.related_model is get_user_model()}
    users = {u.pk: u.printed_name for u in get_user_model().objects.filter(pk__in=user_ids - {None})}
    zone = timezone.get_current_timezone()
    rows = [(_cap(str(f.verbose_name)),
             _value(obj, f, users, {}, lambda v: timezone.localtime(v, zone).strftime("%Y-%m-%d %H:%M")))
            for f in fields]
    signed, locked_ids, all_locked = review_context(visit.participant)
    status = status_of(obj, signed_ids=signed, locked=all_locked or obj.pk in locked_ids)
    return render(request, "crf/crf_print.html", {
        "crf": crf_type, "visit": visit, "p": visit.participant, "rows": rows, "status": status,
        "status_label": STATUS_LABELS.get(status, status), "printed_at": timezone.now()})
