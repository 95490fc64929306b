"""When may an export carry the arm? Only after the database is locked AND an authorised role has
recorded the unblinding of the datasets (docs/ARCHITECTURE.md rule 1). Until then every export
holds the blind code only."""
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from crf.services.locks import database_locked
from edc.access import has_any_role
from edc.roles import RANDOMIZATION_ADMIN
from exports.models import DatasetUnblinding

# The randomization administrator holds the allocation; releasing it to the analysis is theirs.
MAY_RELEASE = {RANDOMIZATION_ADMIN}


def current_release() -> DatasetUnblinding | None:
    lock = database_locked()
    if lock is None:
        return None
    return DatasetUnblinding.objects.filter(database_lock_id=lock.pk).first()


def arm_released() -> bool:
    return current_release() is not None


def release_arm(*, user, reason: str) -> DatasetUnblinding:
    if not has_any_role(user, MAY_RELEASE):
        raise PermissionDenied
    lock = database_locked()
    if lock is None:
        raise ValidationError(_("Lock the database before unblinding the datasets."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason (e.g. final analysis per the SAP).")})
    if DatasetUnblinding.objects.filter(database_lock_id=lock.pk).exists():
        raise ValidationError(_("The datasets are already unblinded for this lock."))
    record = DatasetUnblinding(authorised_by=user, authorised_at=timezone.now(), reason=reason.strip(),
                               database_lock_id=lock.pk)
    record._history_user = user
    record.save()
    return record
