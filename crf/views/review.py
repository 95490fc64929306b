"""Data quality and sign-off pages (issue 6): queries, source-data verification, signatures, locks.
Each view declares its roles; each object is looked up within the user's sites (404 otherwise)."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_POST

from crf import registry
from crf.forms_review import AnswerQueryForm, ReviewerNoteForm, SignForm, UnlockForm
from crf.models import Lock, Query, Scope, Visit
from crf.services import locks, queries, review
from crf.services.entry import SoftWarnings
from edc import roles
from edc.access import allow
from edc.access import user_roles as roles_of
from edc.read_log import note_read
from edc.selectors.participants import get_participant_for
from edc.views.helpers import attach_errors

REVIEWERS = roles.REVIEWERS
STATUS_LABELS = {
    "not_started": _lazy("Not started"), "in_progress": _lazy("In progress"), "complete": _lazy("Complete"),
    "verified": _lazy("Verified"), "signed": _lazy("Signed"), "locked": _lazy("Locked"),
}


def get_form_for(user, key: str, object_pk):
    crf_type = registry.get(key)
    if crf_type is None:
        raise Http404
    obj = crf_type.model.objects.filter(pk=object_pk, participant__site__staff=user).select_related(
        "participant__site").first()
    if obj is None:
        raise Http404
    note_read(user, obj.participant_id)  # the read-access log (edc.read_log)
    return crf_type, obj


def form_url(crf_type, obj) -> str:
    if crf_type.log:
        return f"/participants/{obj.participant_id}/log/{crf_type.key}/{obj.pk}/"
    return f"/visits/{obj.visit_id}/crf/{crf_type.key}/"


def _done(request, error: ValidationError | None, ok: str, back: str):
    if error is not None:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, ok)
    return redirect(back)


@allow({roles.MONITOR})
@require_POST
def verify(request, key, object_pk):
    crf_type, obj = get_form_for(request.user, key, object_pk)
    fields = [f for f in request.POST.getlist("fields") if f]
    try:
        review.verify(obj, user=request.user, fields=fields or None)
    except ValidationError as e:
        return _done(request, e, "", form_url(crf_type, obj))
    return _done(request, None, _("Verified against source."), form_url(crf_type, obj))


@allow({roles.PRINCIPAL_INVESTIGATOR})
@require_POST
def sign_form(request, key, object_pk):
    crf_type, obj = get_form_for(request.user, key, object_pk)
    form = SignForm(request.POST)
    error = None
    try:
        review.sign(user=request.user, password=form.data.get("password", ""), participant=obj.participant,
                    scope=Scope.CRF, visit=getattr(obj, "visit", None), obj=obj, crf_key=key)
    except ValidationError as e:
        error = e
    return _done(request, error, _("Signed."), form_url(crf_type, obj))


@allow({roles.PRINCIPAL_INVESTIGATOR})
@require_http_methods(["GET", "POST"])
def sign_visit_or_casebook(request, pk, visit_pk=None):
    participant = get_participant_for(request.user, pk)
    visit = get_object_or_404(Visit, pk=visit_pk, participant=participant) if visit_pk else None
    form = SignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            review.sign(user=request.user, password=form.cleaned_data["password"], participant=participant,
                        scope=Scope.VISIT if visit else Scope.CASEBOOK, visit=visit)
        except ValidationError as e:
            attach_errors(form, e)
        else:
            messages.success(request, _("Signed."))
            return redirect("visit_detail", visit_pk=visit.pk) if visit else redirect("participant_detail", pk=pk)
    from crf.models.quality import SIGNATURE_MEANING
    return render(request, "crf/sign.html", {"form": form, "p": participant, "visit": visit,
                                             "meaning": SIGNATURE_MEANING})


@allow({roles.DATA_MANAGER})
@require_POST
def lock_form(request, key, object_pk):
    crf_type, obj = get_form_for(request.user, key, object_pk)
    try:
        locks.lock(scope=Scope.CRF, user=request.user, participant=obj.participant, crf_key=key, object_id=obj.pk)
    except ValidationError as e:
        return _done(request, e, "", form_url(crf_type, obj))
    return _done(request, None, _("Form locked."), form_url(crf_type, obj))


@allow({roles.DATA_MANAGER})
@require_http_methods(["GET", "POST"])
def lock_casebook(request, pk):
    participant = get_participant_for(request.user, pk)
    active = participant.locks.filter(scope=Scope.CASEBOOK, unlocked_at__isnull=True).first()
    form = UnlockForm(request.POST or None) if active else None
    if request.method == "POST":
        try:
            if active:
                if not form.is_valid():
                    raise ValidationError(_("Give the reason for unlocking."))
                locks.unlock(active, user=request.user, reason=form.cleaned_data["reason"])
            else:
                locks.lock(scope=Scope.CASEBOOK, user=request.user, participant=participant)
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _("Casebook unlocked.") if active else _("Casebook locked."))
        return redirect("participant_detail", pk=pk)
    return render(request, "crf/lock.html", {"p": participant, "active": active, "form": form})


@allow({roles.DATA_MANAGER})
@require_http_methods(["GET", "POST"])
def database_lock(request):
    active = locks.database_locked()
    form = UnlockForm(request.POST or None) if active else ReviewerNoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if active:
                locks.unlock(active, user=request.user, reason=form.cleaned_data["reason"])
            else:
                locks.lock(scope=Scope.DATABASE, user=request.user, reason=form.cleaned_data.get("text", ""))
        except ValidationError as e:
            attach_errors(form, e)
        else:
            messages.success(request, _("Database unlocked.") if active else _("Database locked."))
            return redirect("database_lock")
    history = Lock.objects.filter(scope=Scope.DATABASE).select_related("locked_by", "unlocked_by")[:20]
    return render(request, "crf/database_lock.html", {"active": active, "form": form, "history": history})


@allow(roles.SITE_STAFF)
def query_list(request):
    qs = (Query.objects.filter(participant__site__staff=request.user)
          .select_related("participant", "visit", "raised_by").order_by("-raised_at"))
    status = request.GET.get("status", "open")
    if status in Query.Status.values:
        qs = qs.filter(status=status)
    if request.GET.get("mine"):
        qs = qs.filter(raised_by=request.user)
    if request.GET.get("participant"):
        qs = qs.filter(participant__participant_code=request.GET["participant"])
    counts = dict(Query.objects.filter(participant__site__staff=request.user).values_list("status")
                  .annotate(n=Count("id")).values_list("status", "n"))
    today = timezone.localdate()
    rows = [(q, (today - timezone.localtime(q.raised_at).date()).days) for q in qs[:500]]
    return render(request, "crf/query_list.html", {"rows": rows, "status": status, "counts": counts,
                                                   "statuses": Query.Status.choices})


@allow(roles.SITE_STAFF)
@require_http_methods(["GET", "POST"])
def query_detail(request, query_pk):
    q = get_object_or_404(Query.objects.filter(participant__site__staff=request.user).select_related(
        "participant__site"), pk=query_pk)
    crf_type = registry.get(q.crf_key)
    obj = crf_type.model.objects.filter(pk=q.object_id).first() if crf_type else None
    answer = AnswerQueryForm(request.POST if request.POST.get("action") == "answer" else None)
    note = ReviewerNoteForm(request.POST if request.POST.get("action") in ("close", "reopen") else None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "answer" and answer.is_valid():
                queries.answer_with_correction(q, crf_type, obj, user=request.user, text=answer.cleaned_data["text"],
                                               new_value=answer.cleaned_data["new_value"])
            elif action == "close" and note.is_valid():
                queries.close_query(q, user=request.user, text=note.cleaned_data["text"])
            elif action == "reopen" and note.is_valid():
                queries.reopen_query(q, user=request.user, text=note.cleaned_data["text"])
            else:
                raise ValidationError(_("Check the form."))
        except (ValidationError, SoftWarnings) as e:
            messages.error(request, " ".join(getattr(e, "messages", [str(e)])))
        else:
            messages.success(request, _("Query updated."))
            return redirect("query_detail", query_pk=q.pk)
    return render(request, "crf/query_detail.html", {
        "q": q, "crf": crf_type, "obj": obj, "answer": answer, "note": note,
        "form_url": form_url(crf_type, obj) if obj else "",
        "messages_": q.messages.select_related("author")})


def open_query_counts(user) -> dict:
    return Query.objects.filter(participant__site__staff=user).aggregate(
        open=Count("id", filter=Q(status=Query.Status.OPEN)),
        answered=Count("id", filter=Q(status=Query.Status.ANSWERED)))


@allow(REVIEWERS)
@require_POST
def raise_query(request, key, object_pk):
    from crf.forms_review import RaiseQueryForm
    crf_type, obj = get_form_for(request.user, key, object_pk)
    form = RaiseQueryForm(request.POST, field_choices=field_choices(crf_type))
    error = None
    if form.is_valid():
        try:
            queries.raise_query(obj, crf_key=key, user=request.user, **form.cleaned_data)
        except ValidationError as e:
            error = e
    else:
        error = ValidationError([m for errs in form.errors.values() for m in errs])
    return _done(request, error, _("Query raised."), form_url(crf_type, obj))


def field_choices(crf_type) -> list[tuple[str, str]]:
    return [(name, str(field.label)) for name, field in crf_type.form().fields.items()]


def review_panel(request, crf_type, obj) -> dict:
    """What the form page shows about data quality: status, verification, signatures, queries."""
    from crf.forms_review import RaiseQueryForm
    signed, locked_ids, all_locked = review.review_context(obj.participant)
    status = review.status_of(obj, signed_ids=signed, locked=all_locked or obj.pk in locked_ids)
    signatures = (review.covering_signatures(obj) | obj.participant.signatures.filter(
        invalidated_at__isnull=False, object_id=obj.pk)).select_related("signer").distinct()
    form_queries = (Query.objects.filter(object_id=obj.pk).prefetch_related("messages__author")
                    .order_by("-raised_at"))
    user_roles = set(roles_of(request.user))  # read once per request (edc.access)
    return {
        "status": status, "status_label": STATUS_LABELS.get(status, status), "obj": obj, "crf": crf_type,
        "signatures": signatures, "queries": form_queries,
        "raise_form": RaiseQueryForm(field_choices=field_choices(crf_type)),
        "sign_form": SignForm(), "fields": field_choices(crf_type),
        "can_verify": roles.MONITOR in user_roles and status == "complete",
        "can_sign": roles.PRINCIPAL_INVESTIGATOR in user_roles and status in ("complete", "verified"),
        "can_lock": roles.DATA_MANAGER in user_roles and status in ("complete", "verified", "signed")
        and obj.pk not in locked_ids,
        "can_raise": bool(user_roles & REVIEWERS), "locked": status == "locked",
    }
