"""Audited writes (docs/ARCHITECTURE.md rule 2).

Every clinical write goes through these two functions: creation records who; every later change
records who and why. A change without a typed reason is refused before anything is written, so no
row and no history row appear. Validation runs first (`full_clean`), so bad input changes nothing.
"""
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

REASON_MAX_LENGTH = 500  # a text column (SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD)

# Checks every clinical write must pass, registered by the apps that own them (crf: locks).
# Each is called with the instance about to be written and raises to refuse it.
WRITE_GUARDS: list = []


def check_writable(instance: models.Model) -> None:
    for guard in WRITE_GUARDS:
        guard(instance)
    instance._edc_write_checked = True  # the pre_save backstop need not ask again


def save_created(instance: models.Model, user, reason: str = "") -> models.Model:
    if not instance._state.adding:
        raise ValueError("save_created is for new records; use save_changed.")
    check_writable(instance)
    instance.full_clean()
    instance._history_user = user
    instance._change_reason = reason or _("Created")
    instance.save()
    return instance


def changed_fields(instance: models.Model) -> list[str]:
    """Names of concrete fields whose value differs from the stored row."""
    stored = type(instance)._base_manager.get(pk=instance.pk)
    return [f.name for f in instance._meta.concrete_fields
            if f.name not in {"modified_at"} and getattr(stored, f.attname) != getattr(instance, f.attname)]


def save_changed(instance: models.Model, user, reason: str) -> list[str]:
    """Save a change to a stored record; returns the changed field names (empty: nothing saved)."""
    if instance._state.adding:
        raise ValueError("save_changed is for stored records; use save_created.")
    check_writable(instance)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason_for_change": _("Give a reason for this change.")})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason_for_change": _("Keep the reason under %(n)d characters.")
                               % {"n": REASON_MAX_LENGTH}})
    instance.full_clean()
    fields = changed_fields(instance)
    if not fields:
        return []
    instance._history_user = user
    instance._change_reason = reason
    instance.save()
    return fields
