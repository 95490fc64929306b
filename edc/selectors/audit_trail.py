"""The per-participant audit trail: who, when (site time), what (field: old -> new), why.

Every ClinicalModel is audited by django-simple-history; this reads each model's history table once
(one query per model, whatever the number of changes) and pairs consecutive versions. Fields a model
may show are an allowlist (`edc.visible_fields`): this page, its CSV and the casebook are for blinded
staff, so no key into the allocation table, sequence number or seed can reach them.
"""
from dataclasses import dataclass, field
from datetime import datetime

from django.apps import apps
from django.contrib.auth import get_user_model
from django.utils import timezone

from edc.models import ClinicalModel, Participant
from edc.visible_fields import visible_fields

SKIP = {"id", "created_at", "modified_at", "participant", "visit"}  # the page already names them


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class AuditEntry:
    when: datetime
    who: str
    record: str
    action: str  # "created" | "changed"
    reason: str
    changes: list[Change] = field(default_factory=list)
    object_id: object = None


def audited_models() -> list[type[ClinicalModel]]:
    return [m for m in apps.get_models() if issubclass(m, ClinicalModel)]


def _display(model, name: str, value, users: dict) -> str:
    if value is None or value == "":
        return "—"
    f = model._meta.get_field(name)
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if f.is_relation:
        return users.get(value, str(value)) if f.related_model is get_user_model() else str(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


def _fields(model) -> list:
    return visible_fields(model, SKIP)


def participant_audit_trail(participant: Participant) -> list[AuditEntry]:
    User = get_user_model()
    versions = []
    for model in audited_models():
        path = model.participant_path
        lookup = "id" if path == "id" else f"{path}_id"
        rows = list(model.history.model.objects.filter(**{lookup: participant.pk})
                    .select_related("history_user").order_by("history_date", "history_id"))
        versions.append((model, rows))
    user_ids = {getattr(r, f.attname) for model, rows in versions for r in rows
                for f in _fields(model) if f.is_relation and f.related_model is User}
    users = {u.pk: u.printed_name for u in User.objects.filter(pk__in=user_ids - {None})}
    entries: list[AuditEntry] = []
    for model, rows in versions:
        previous: dict = {}
        for row in rows:
            old = previous.get(row.id)
            changes = []
            for f in _fields(model):
                new_value = getattr(row, f.attname)
                old_value = getattr(old, f.attname) if old else None
                if old is None and new_value in (None, "", [], False):
                    continue
                if old is not None and old_value == new_value:
                    continue
                changes.append(Change(str(f.verbose_name), _display(model, f.name, old_value, users),
                                      _display(model, f.name, new_value, users)))
            previous[row.id] = row
            if old is not None and not changes:
                continue
            entries.append(AuditEntry(
                when=row.history_date,
                who=row.history_user.printed_name if row.history_user else "system",
                record=str(model._meta.verbose_name), action="created" if old is None else "changed",
                reason=row.history_change_reason or "", changes=changes, object_id=row.id))
    entries.sort(key=lambda e: e.when)
    return entries
