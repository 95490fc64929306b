"""Locks: a form, a participant's casebook or the whole database becomes read-only for everyone;
unlocking needs a reason; every lock and unlock is audited. What may be locked is crf.workflow's
rule (docs/WORKFLOW.md "Form workflow"), enforced here whoever posts. The guard is registered with
edc.audit so every audited write path honours it, and a pre_save backstop catches any write that
does not come through the services."""
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, Q, When
from django.utils import timezone
from django.utils.translation import gettext as _

from crf import registry, workflow
from crf.models import Lock, Scope
from crf.services import review
from edc.access import user_roles
from edc.models import ClinicalModel, Participant
from edc.sites import require_site_member


class Locked(ValidationError):
    pass


def _participant_id(instance):
    if isinstance(instance, Participant):
        return instance.pk
    return getattr(instance, "participant_id", None)


# A view that asked whether a form is locked before saving it leaves the answer on the instance; the
# write guard of that save takes it (once) instead of asking again in the same request.
REMEMBERED = "_edc_active_locks"


def _lock_key(instance) -> tuple:
    return _participant_id(instance), instance.pk


def active_locks_for(instance, *, remember: bool = False) -> list[Lock]:
    """Active locks covering `instance`. `remember`: the caller is about to save this instance in this
    request, so its write guard may reuse the answer (one query per request, not two)."""
    condition = Q(scope=Scope.DATABASE)
    pid = _participant_id(instance)
    if pid is not None:
        condition |= Q(scope=Scope.CASEBOOK, participant_id=pid)
    if instance.pk is not None:
        condition |= Q(scope=Scope.CRF, object_id=instance.pk)
    # the widest lock first: it is the one to lift
    order = Case(When(scope=Scope.DATABASE, then=0), When(scope=Scope.CASEBOOK, then=1), default=2)
    locks = list(Lock.objects.filter(condition, unlocked_at__isnull=True).select_related("locked_by")
                 .order_by(order, "-locked_at"))
    if remember:
        setattr(instance, REMEMBERED, (_lock_key(instance), locks))
    return locks


def lock_guard(instance) -> None:
    if not isinstance(instance, ClinicalModel):
        return
    remembered = instance.__dict__.pop(REMEMBERED, None)  # used once: a later save asks again
    if remembered is not None and remembered[0] == _lock_key(instance):
        locks = remembered[1]
    else:
        locks = active_locks_for(instance)
    if locks:
        raise Locked(locks[0].describe())


def database_locked() -> Lock | None:
    return Lock.objects.filter(scope=Scope.DATABASE, unlocked_at__isnull=True).first()


def lock(*, scope: str, user, participant=None, crf_key: str = "", object_id=None, reason: str = "") -> Lock:
    """Lock a form, a casebook or the database: refused, with every reason, unless crf.workflow allows
    it for each form covered (a form still in progress or never started cannot be locked)."""
    if not workflow.may("lock", user_roles(user)):
        raise PermissionDenied
    if scope not in (Scope.CRF, Scope.CASEBOOK, Scope.DATABASE):
        raise ValidationError(_("Unknown lock scope."))
    if scope != Scope.DATABASE and participant is None:
        raise ValidationError(_("Name the participant whose casebook to lock."))
    if participant is not None:
        require_site_member(user, participant.site)
    existing = (database_locked() if scope == Scope.DATABASE else
                Lock.objects.filter(scope=scope, participant=participant, object_id=object_id,
                                    unlocked_at__isnull=True).first())
    if existing is not None:
        raise ValidationError(_("Already locked: %(lock)s") % {"lock": existing.describe()})
    if scope == Scope.CRF:
        crf_type = registry.get(crf_key)
        obj = crf_type and crf_type.model.objects.filter(pk=object_id, participant=participant).first()
        if obj is None:
            raise ValidationError(_("There is no such form to lock."))
        [(_t, _o, state)] = review.form_states(participant, only=obj)
        review.refuse([why] if (why := workflow.refusal("lock", state)) else [])
    elif scope == Scope.CASEBOOK:
        review.refuse(review.blockers("lock", participant))
    with transaction.atomic():
        new = Lock(scope=scope, participant=participant, crf_key=crf_key, object_id=object_id,
                   locked_by=user, locked_at=timezone.now(), reason=reason.strip())
        new._history_user = user
        new.save()
    return new


def unlock(existing: Lock, *, user, reason: str) -> None:
    if not workflow.may("unlock", user_roles(user)):
        raise PermissionDenied
    if existing.participant_id is not None:
        require_site_member(user, existing.participant.site)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for unlocking.")})
    if existing.unlocked_at is not None:
        raise ValidationError(_("This lock was already lifted."))
    existing.unlocked_by, existing.unlocked_at, existing.unlock_reason = user, timezone.now(), reason
    existing._history_user = user
    existing._change_reason = reason
    existing.save()


def backstop(sender, instance, **kwargs) -> None:
    """pre_save for every clinical model: refuse a write to locked data that bypassed the services."""
    if getattr(instance, "_edc_write_checked", False):
        instance._edc_write_checked = False
        return
    lock_guard(instance)
