"""Query pages: the list (filter by status, participant, raiser and age), one query with the field's
current value and its history, and raising a query from a form. Site roles answer; reviewers
(monitor, data manager) raise, close and re-open — each sees only the actions crf.workflow gives
their roles, and the services refuse the others whoever posts."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from crf import registry, workflow
from crf.forms_review import AnswerQueryForm, RaiseQueryForm, ReviewerNoteForm
from crf.models import Query
from crf.selectors import (
    QUERY_AGES,
    display_value,
    field_choices,
    field_history,
    field_label,
    form_url,
    get_form_for,
    get_query_for,
    query_counts,
    query_rows,
)
from crf.services import queries
from crf.services.entry import SoftWarnings
from crf.services.query_answers import answer_with_correction
from edc import roles
from edc.access import allow, user_roles


@allow(roles.SITE_STAFF)
def query_list(request):
    status = request.GET.get("status", "open")
    age = request.GET.get("age", "")
    older_than = int(age) if age.isdigit() and int(age) in QUERY_AGES else None
    rows = query_rows(request.user, status=status, mine=bool(request.GET.get("mine")),
                      participant=request.GET.get("participant", "").strip()[:30], older_than=older_than,
                      today=timezone.localdate())
    return render(request, "crf/query_list.html", {
        "rows": rows, "status": status, "counts": query_counts(request.user), "statuses": Query.Status.choices,
        "ages": QUERY_AGES, "age": older_than})


@allow(roles.SITE_STAFF)
@require_http_methods(["GET", "POST"])
def query_detail(request, query_pk):
    q = get_query_for(request.user, query_pk)
    crf_type = registry.get(q.crf_key)
    obj = crf_type.model.objects.filter(pk=q.object_id).first() if crf_type else None
    mine = user_roles(request.user)
    may_answer = workflow.may("answer_query", mine) and q.status != Query.Status.CLOSED
    may_review = workflow.may("close_query", mine)
    action = request.POST.get("action")
    answer = AnswerQueryForm(request.POST if action == "answer" else None) if may_answer else None
    note = ReviewerNoteForm(request.POST if action in ("close", "reopen") else None) if may_review else None
    if request.method == "POST":
        try:
            if action == "answer" and answer is not None and answer.is_valid():
                answer_with_correction(q, crf_type, obj, user=request.user, text=answer.cleaned_data["text"],
                                       new_value=answer.cleaned_data["new_value"])
            elif action == "close" and note is not None and note.is_valid():
                queries.close_query(q, user=request.user, text=note.cleaned_data["text"])
            elif action == "reopen" and note is not None and note.is_valid():
                queries.reopen_query(q, user=request.user, text=note.cleaned_data["text"])
            elif action in ("answer", "close", "reopen") and (answer if action == "answer" else note) is None:
                raise ValidationError(_("Your role cannot do this on a query."))
            else:
                raise ValidationError(_("Check the form."))
        except (ValidationError, SoftWarnings) as e:
            messages.error(request, " ".join(getattr(e, "messages", [str(e)])))
        else:
            messages.success(request, _("Query updated."))
            return redirect("query_detail", query_pk=q.pk)
    return render(request, "crf/query_detail.html", {
        "q": q, "crf": crf_type, "obj": obj, "answer": answer, "note": note,
        "field_label": field_label(crf_type, q.field_name),
        "current_value": display_value(obj, q.field_name), "history": field_history(obj, q.field_name),
        "age_days": (timezone.localdate() - timezone.localtime(q.raised_at).date()).days,
        "form_url": form_url(crf_type, obj) if obj else "",
        "messages_": q.messages.select_related("author")})


@allow(workflow.ACTION_ROLES["raise_query"])
@require_POST
def raise_query(request, key, object_pk):
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
    if error is not None:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Query raised."))
    return redirect(form_url(crf_type, obj) + "#review")
