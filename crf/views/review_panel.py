"""What a form page shows about data review: status, verification, signatures, queries, and the
actions the reader may take — each offered only when crf.workflow allows it for the reader's roles
and the form's status (the services enforce the same rule for a crafted POST)."""
from crf import workflow
from crf.forms_review import RaiseQueryForm, SignForm
from crf.models import Query
from crf.selectors import field_choices, field_label
from crf.services import review
from edc.access import user_roles


def review_panel(request, crf_type, obj, *, query_field: str = "") -> dict:
    signed, locked_ids, all_locked = review.review_context(obj.participant)
    status = review.status_of(obj, signed_ids=signed, locked=all_locked or obj.pk in locked_ids)
    state = workflow.FormState(str(crf_type.label), status, bool(obj.changed_since_verification))
    signatures = (review.covering_signatures(obj) | obj.participant.signatures.filter(
        invalidated_at__isnull=False, object_id=obj.pk)).select_related("signer").distinct()
    form_queries = list(Query.objects.filter(object_id=obj.pk).prefetch_related("messages__author")
                        .order_by("-raised_at"))
    for q in form_queries:
        q.field_label = field_label(crf_type, q.field_name)
    mine = user_roles(request.user)  # read once per request (edc.access)
    fields = field_choices(crf_type)
    can_raise = workflow.may("raise_query", mine) and status != "not_started"
    return {
        "status": status, "status_label": workflow.STATUS_LABELS.get(status, status), "obj": obj, "crf": crf_type,
        "signatures": signatures, "queries": form_queries, "fields": fields,
        "open_fields": {q.field_name for q in form_queries if q.status != Query.Status.CLOSED},
        "raise_form": RaiseQueryForm(field_choices=fields, initial={"field_name": query_field}) if can_raise else None,
        "sign_form": SignForm(),
        "can_verify": workflow.may("verify", mine) and workflow.refusal("verify", state) is None,
        "can_sign": workflow.may("sign", mine) and workflow.refusal("sign", state) is None,
        "sign_refusal": workflow.may("sign", mine) and workflow.refusal("sign", state),
        "can_lock": workflow.may("lock", mine) and workflow.refusal("lock", state) is None,
        "can_raise": can_raise, "locked": status == "locked",
    }
