"""Bulk writes with an audit trail (docs/ARCHITECTURE.md rule 2, for data loaded in bulk).

`Writer.add(obj, at=..., user=..., reason=...)` queues a new record and its "created" history row;
`Writer.change(obj, ...)` records a later version (the object is edited in memory and its final
state is what gets inserted). `flush()` writes every queued record in dependency order (foreign
keys first), then the history rows: the rows django-simple-history's `bulk_create_with_history`
would write, but with the time, user and reason of each version, so the audit-trail pages show
when, who and why.

Rows go in with PostgreSQL's COPY (a 10,000-participant trial is ~2.5 million rows: Django's
bulk_create spends most of its time composing INSERT statements). Values are converted as
Django's PostgreSQL backend would (UUID, JSON, decimals, aware datetimes); auto-increment keys
are drawn from the table's own sequence first, so foreign keys can name them.

Times are the ones the data describe (a form is created on the day it was entered), so
`created_at`/`modified_at`/`at` are set here: `frozen_clock()` switches `auto_now` and
`auto_now_add` off while loading. No signals are sent, so nothing else happens.
"""
import io
import json
from collections import Counter, defaultdict
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from operator import attrgetter
from uuid import UUID

from django.apps import apps
from django.db import connection, models


@contextmanager
def frozen_clock():
    """Let the loader set created/modified times itself (restored afterwards)."""
    changed = []
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                changed.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, now, now_add in changed:
            f.auto_now, f.auto_now_add = now, now_add


_HISTORY: dict = {}


def history_model(model):
    """The simple-history model of `model`, or None (cached: the manager is rebuilt on each access)."""
    if model not in _HISTORY:
        manager = getattr(model._meta, "simple_history_manager_attribute", None)
        _HISTORY[model] = getattr(model, manager).model if manager else None
    return _HISTORY[model]


def _order(present: list) -> list:
    """Models in an order where every foreign key's target comes first."""
    remaining, done, out = set(present), set(), []
    while remaining:
        ready = sorted((m for m in remaining
                        if all(f.related_model in done or f.related_model not in remaining or f.related_model is m
                               for f in m._meta.concrete_fields if f.is_relation)),
                       key=lambda m: m._meta.label)
        if not ready:
            raise RuntimeError(f"circular foreign keys among {sorted(m._meta.label for m in remaining)}")
        out += ready
        done |= set(ready)
        remaining -= set(ready)
    return out


def _escape(text: str) -> str:
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def text_of(value) -> str:
    """A value in COPY's text format, as Django's PostgreSQL backend would store it."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return _escape(str(value))
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, int | float | UUID):
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return _escape(json.dumps(value))
    raise TypeError(f"cannot write {value!r}")


def _text(value) -> str:
    return "\\N" if value is None else _escape(str(value))


def _plain(value) -> str:
    return "\\N" if value is None else str(value)


def _iso(value) -> str:
    return "\\N" if value is None else value.isoformat()


def _decimal(value) -> str:
    return "\\N" if value is None else format(value, "f")


def _bool(value) -> str:
    return "\\N" if value is None else ("t" if value else "f")


def _json(value) -> str:
    return "\\N" if value is None else _escape(json.dumps(value))


CONVERTERS = {
    "CharField": _text, "TextField": _text, "SlugField": _text, "EmailField": _text, "UUIDField": _plain,
    "DateField": _iso, "DateTimeField": _iso, "DecimalField": _decimal, "BooleanField": _bool, "JSONField": _json,
    "IntegerField": _plain, "PositiveIntegerField": _plain, "PositiveSmallIntegerField": _plain,
    "SmallIntegerField": _plain, "BigIntegerField": _plain, "AutoField": _plain, "BigAutoField": _plain,
}


def converter(field):
    """The fastest correct converter for a column (text_of for anything unusual)."""
    target = field.target_field if field.is_relation else field
    return CONVERTERS.get(target.get_internal_type(), text_of)


def _auto_pk(model) -> bool:
    return isinstance(model._meta.pk, models.AutoField)  # AutoField, BigAutoField, SmallAutoField


def _copy(table: str, columns: list[str], rows) -> int:
    lines = ["\t".join(row) for row in rows]
    data = io.BytesIO(("\n".join(lines) + "\n").encode() if lines else b"")
    names = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cursor:
        cursor.copy_expert(f'COPY "{table}" ({names}) FROM STDIN', data, 1 << 20)
    return len(lines)


def _take_ids(model, n: int) -> list[int]:
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, pk, n])
        return [row[0] for row in cursor.fetchall()]


class Writer:
    def __init__(self):
        self.rows: dict[type, list] = defaultdict(list)
        self.versions: dict[type, list] = defaultdict(list)
        self.counts: Counter = Counter()  # table label -> rows written
        self._tracked: dict[type, attrgetter] = {}

    def add(self, obj: models.Model, *, at: datetime, user=None, reason: str = "Created") -> models.Model:
        """Queue a new record created at `at` by `user` (its first history row, if audited)."""
        for name in ("created_at", "modified_at"):
            if hasattr(obj, name) and getattr(obj, name) is None:
                setattr(obj, name, at)
        self.rows[type(obj)].append(obj)
        self._version(obj, at, user, reason, "+")
        return obj

    def change(self, obj: models.Model, *, at: datetime, user=None, reason: str) -> None:
        """Record the object's current (already edited) state as a change at `at`."""
        if hasattr(obj, "modified_at"):
            obj.modified_at = at
        self._version(obj, at, user, reason, "~")

    def _version(self, obj, at, user, reason, kind) -> None:
        model = type(obj)
        history = history_model(model)
        if history is None:
            return
        values = self._tracked.get(model)
        if values is None:
            values = self._tracked[model] = attrgetter(*[f.attname for f in history.tracked_fields])
        user_id = user if isinstance(user, int) or user is None else user.pk
        self.versions[model].append((obj, list(values(obj)), at, user_id, reason, kind))

    def flush(self) -> None:
        for model in _order(list(self.rows)):
            self._write(model, self.rows.pop(model))
        for model in list(self.versions):
            self._write_history(model, self.versions.pop(model))

    def _write(self, model, objs: list) -> None:
        if _auto_pk(model):
            for obj, pk in zip(objs, _take_ids(model, len(objs)), strict=True):
                obj.pk = pk
        fields = model._meta.concrete_fields
        # A foreign key to a row with an auto key may have been set before that row had its key.
        late = [f for f in fields if f.is_relation and _auto_pk(f.related_model)]
        for obj in objs:
            for f in late:
                if getattr(obj, f.attname) is None:
                    related = f.get_cached_value(obj, None)
                    if related is not None:
                        setattr(obj, f.attname, related.pk)
        values = attrgetter(*[f.attname for f in fields])  # one C call per row for all its values
        converters = [converter(f) for f in fields]
        n = _copy(model._meta.db_table, [f.column for f in fields],
                  ([convert(v) for convert, v in zip(converters, values(obj), strict=True)] for obj in objs))
        self.counts[model._meta.label] += n
        for obj in objs:
            obj._state.adding, obj._state.db = False, "default"

    def _write_history(self, model, versions: list) -> None:
        history = history_model(model)
        tracked = [f.attname for f in history.tracked_fields]
        pk_at = tracked.index(model._meta.pk.attname)
        by_name = {f.attname: f for f in history._meta.concrete_fields}
        extra = ["history_date", "history_change_reason", "history_type", "history_user_id"]
        columns = [by_name[name].column for name in tracked + extra]
        converters = [converter(model._meta.get_field(f.name)) for f in history.tracked_fields]

        def rows():
            for obj, values, at, user_id, reason, kind in versions:
                if values[pk_at] is None:  # auto key: known once the row was written
                    values[pk_at] = obj.pk
                yield [convert(v) for convert, v in zip(converters, values, strict=True)] + [
                    at.isoformat(), _escape(reason), kind, "\\N" if user_id is None else str(user_id)]

        self.counts[history._meta.label] += _copy(history._meta.db_table, columns, rows())
