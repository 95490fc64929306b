"""Locks (issue 6): a form, a participant's casebook or the whole database becomes read-only for
everyone; unlocking needs a reason; every lock and unlock is audited. The guard is registered
with edc.audit so every audited write path honours it, and a pre_save backstop catches any write
that does not come through the services."""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from crf.models import Lock, Scope
from edc.models import ClinicalModel, Participant


class Locked(ValidationError):
    pass


def _participant_id(instance):
    if isinstance(instance, Participant):
        return instance.pk
    return getattr(instance, "participant_id", None)


def active_locks_for(instance) -> list[Lock]:
    condition = Q(scope=Scope.DATABASE)
    pid = _participant_id(instance)
    if pid is not None:
        condition |= Q(scope=Scope.CASEBOOK, participant_id=pid)
    if instance.pk is not None:
        condition |= Q(scope=Scope.CRF, object_id=instance.pk)
    return list(Lock.objects.filter(condition, unlocked_at__isnull=True))


def lock_guard(instance) -> None:
    if not isinstance(instance, ClinicalModel):
        return
    locks = active_locks_for(instance)
    if locks:
        since = timezone.localtime(locks[0].locked_at).strftime("%Y-%m-%d %H:%M")
        raise Locked(_("Read-only: %(lock)s since %(at)s.") % {"lock": locks[0].get_scope_display(), "at": since})


def database_locked() -> Lock | None:
    return Lock.objects.filter(scope=Scope.DATABASE, unlocked_at__isnull=True).first()


def lock(*, scope: str, user, participant=None, crf_key: str = "", object_id=None, reason: str = "") -> Lock:
    existing = Lock.objects.filter(scope=scope, participant=participant, object_id=object_id,
                                   unlocked_at__isnull=True)
    if existing.exists():
        raise ValidationError(_("Already locked."))
    if scope == Scope.CASEBOOK and participant is None:
        raise ValidationError(_("Name the participant whose casebook to lock."))
    with transaction.atomic():
        new = Lock(scope=scope, participant=participant, crf_key=crf_key, object_id=object_id,
                   locked_by=user, locked_at=timezone.now(), reason=reason.strip())
        new._history_user = user
        new.save()
    return new


def unlock(existing: Lock, *, user, reason: str) -> None:
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
