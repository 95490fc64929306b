"""Sign-off pages: source-data verification, signatures, locks (queries: crf.views.queries).
Each view declares its roles; each object is looked up within the user's sites (404 otherwise). What
may be verified, signed or locked is crf.workflow's rule, enforced by the services: a view passes
the request on and shows the service's reasons."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from crf.forms_review import ReviewerNoteForm, SignForm, UnlockForm
from crf.models import Lock, Scope, Visit
from crf.selectors import form_url, get_form_for
from crf.services import locks, review
from edc import roles
from edc.access import allow
from edc.selectors.participants import get_participant_for
from edc.views.helpers import attach_errors


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
                                             "meaning": SIGNATURE_MEANING,
                                             "blockers": review.sign_blockers(participant, visit)})


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
                locks.lock(scope=Scope.CASEBOOK, user=request.user, participant=participant,
                           reason=request.POST.get("reason", ""))
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _("Casebook unlocked.") if active else _("Casebook locked."))
        return redirect("participant_detail", pk=pk)
    return render(request, "crf/lock.html", {"p": participant, "active": active, "form": form,
                                             "blockers": [] if active else review.blockers("lock", participant)})


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


