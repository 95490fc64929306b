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


def stored_row(instance: models.Model) -> models.Model:
    """The row as PostgreSQL holds it now: what a change is compared with (one SELECT)."""
    return type(instance)._base_manager.get(pk=instance.pk)


def changed_fields(instance: models.Model, stored: models.Model | None = None) -> list[str]:
    """Names of concrete fields whose value differs from the stored row (read unless given)."""
    stored = stored_row(instance) if stored is None else stored
    return [f.name for f in instance._meta.concrete_fields
            if f.name not in {"modified_at"} and getattr(stored, f.attname) != getattr(instance, f.attname)]


def _proven_by_stored_row(instance: models.Model, stored: models.Model) -> set[str]:
    """Foreign keys whose validation (one SELECT each, and one per unique check they take part in) can
    only repeat what PostgreSQL proved when the stored row was written: the value is unchanged, the
    database's foreign-key and unique constraints hold it, nothing clinical is deleted
    (docs/ARCHITECTURE.md rule 2), and no `limit_choices_to` narrows it. A key that shares a unique
    set or a constraint with a changed field, or any model with a constraint other than plain-field
    uniqueness, keeps every check."""
    meta = instance._meta
    changed = set(changed_fields(instance, stored))
    sets = [{f.name} for f in meta.concrete_fields if f.unique and not f.primary_key]
    sets += [set(fields) for fields in meta.unique_together]
    for constraint in meta.constraints:
        plain = (isinstance(constraint, models.UniqueConstraint) and constraint.fields
                 and constraint.condition is None and not constraint.expressions)
        if not plain:
            return set()
        sets.append(set(constraint.fields))
    return {f.name for f in meta.concrete_fields
            if f.is_relation and f.many_to_one and f.name not in changed and not f.get_limit_choices_to()
            and all(f.name not in s or not (s & changed) for s in sets)}


def save_changed(instance: models.Model, user, reason: str, *, stored: models.Model | None = None) -> list[str]:
    """Save a change to a stored record; returns the changed field names (empty: nothing saved).
    `stored`: the row as read in this transaction, when the caller already needed it (one SELECT less)."""
    if instance._state.adding:
        raise ValueError("save_changed is for stored records; use save_created.")
    check_writable(instance)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason_for_change": _("Give a reason for this change.")})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason_for_change": _("Keep the reason under %(n)d characters.")
                               % {"n": REASON_MAX_LENGTH}})
    stored = stored_row(instance) if stored is None else stored
    instance.full_clean(exclude=_proven_by_stored_row(instance, stored))
    fields = changed_fields(instance, stored)
    if not fields:
        return []
    instance._history_user = user
    instance._change_reason = reason
    instance.save()
    return fields
