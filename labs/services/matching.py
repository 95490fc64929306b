"""Decide, for a chunk of read records, what each would become on the lab form and why not
(docs/LAB_IMPORT.md "Statuses"). Reads are per chunk (a handful of queries for up to CHUNK
records), so staging a whole trial keeps flat memory and a constant number of queries per chunk."""
from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from dataclasses import field as _field  # Row has a column named `field`
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from crf.models import Lock, Scope, Visit
from crf.models.labs import LabPanel
from crf.schedule import BY_CODE, LABS
from edc.clinical.units import UnitNotConvertible, canonical_unit, convert_lab_value
from edc.models import Participant
from labs.analytes import ANALYTES, read_result
from labs.explain import explain, keep, word
from labs.models import HospitalRecordNumber, StagedResult, Status
from labs.parsers.records import LabRecord
from labs.services.identifiers import digest

CHUNK = 2000
COLUMNS = ("batch_id", "position", "message_id", "result_key", "participant_id", "visit_id", "field", "test_code",
           "test_name", "reported_value", "reported_unit", "reference_range", "abnormal_flag", "result_status",
           "collected_at", "value", "value_unit", "value_choice", "status", "explanation", "explanation_msgid",
           "explanation_args")
_ESCAPE = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
# An earlier row in one of these statuses never reached a form: a later result with its identity is
# not "already imported" (docs/LAB_IMPORT.md "Batches and statuses").
NEVER_IMPORTED = (Status.INVALID, Status.UNMAPPED, Status.UNMATCHED, Status.SKIPPED, Status.OUTSIDE_WINDOW)
# Rows of a batch that reached the comparison with the form (its in-batch duplicates and conflicts).
COMPARED = (Status.READY, Status.DUPLICATE, Status.CONFLICT, Status.CORRECTION, Status.ACCEPTED)


@dataclass
class Row:
    """A staged result before it is written (labs.models.StagedResult's columns): plain attributes,
    so deciding 20,000 results builds no model instances."""

    batch_id: int
    position: int
    message_id: str = ""
    result_key: str = ""
    test_code: str = ""
    test_name: str = ""
    reported_value: str = ""
    reported_unit: str = ""
    reference_range: str = ""
    abnormal_flag: str = ""
    result_status: str = "final"
    collected_at: datetime | None = None
    participant: Participant | None = None
    visit: Visit | None = None
    field: str = ""
    value: Decimal | None = None
    value_unit: str = ""
    value_choice: str = ""
    status: str = ""
    explanation: str = ""  # English; with its template and parameters (labs.explain)
    explanation_msgid: str = ""
    explanation_args: dict = _field(default_factory=dict)

    @property
    def participant_id(self):
        return self.participant.pk if self.participant else None

    @property
    def visit_id(self):
        return self.visit.pk if self.visit else None


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False)
    return str(value).translate(_ESCAPE)


def copy_rows(rows: list[Row]) -> None:
    """Write staged rows with PostgreSQL COPY (core SQL): staged results are not clinical records
    (docs/LAB_IMPORT.md "Performance"); what reaches a form goes through crf's audited save."""
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(_copy_value(getattr(row, c)) for c in COLUMNS))
        buffer.write("\n")
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {StagedResult._meta.db_table} ({', '.join(COLUMNS)}) FROM STDIN", buffer)


@dataclass
class Context:
    """What stays the same for a whole batch, and what earlier chunks saw."""

    site_ids: set
    codes: dict  # (system, CODE) -> field
    database_locked: bool
    now: datetime
    seen_keys: dict = field(default_factory=dict)  # result_key -> reported value in this batch
    seen_fields: dict = field(default_factory=dict)  # (participant, visit, field) -> (value, unit, choice)


def batch_context(batch_id: int, *, visit: Visit, keys: set, leave_out: list, now: datetime) -> Context:
    """The Context staging would have built by the end of the batch, for the rows relevant to
    placing results at `visit` (same identities, or the same visit's lab form): so a placed result
    meets the in-batch duplicates and conflicts a result staged there would have met."""
    ctx = Context(site_ids=set(), codes={}, now=now,
                  database_locked=Lock.objects.filter(scope=Scope.DATABASE, unlocked_at__isnull=True).exists())
    rows = (StagedResult.objects.filter(batch_id=batch_id, status__in=COMPARED, visit__isnull=False)
            .filter(Q(result_key__in=keys) | Q(visit=visit)).exclude(pk__in=leave_out).order_by("position", "id")
            .values_list("result_key", "reported_value", "result_status", "participant_id", "visit_id", "field",
                         "value_choice", "value"))
    for key, text, result_status, participant_id, visit_id, name, choice, value in rows:
        ctx.seen_keys[key] = text
        if value is not None:  # shown as staging shows it: in the form's precision
            value = value.quantize(Decimal(1).scaleb(-_field_limits(name)[1]))
        slot, shown = (participant_id, visit_id, name), (choice or value)
        if result_status == "corrected":
            ctx.seen_fields[slot] = shown
        else:
            ctx.seen_fields.setdefault(slot, shown)
    return ctx


def _field_limits(name: str) -> tuple[int, int]:
    f = LabPanel._meta.get_field(name)
    return f.max_digits, f.decimal_places


def _map(record: LabRecord, codes: dict) -> str:
    for system, code in sorted(record.codes, key=lambda c: c[0] != "loinc"):
        if (system, code) in codes:
            return codes[(system, code)]
    if record.test_name and ("local", record.test_name.upper()) in codes:
        return codes[("local", record.test_name.upper())]
    return ""


class Lookup:
    """The database facts one chunk needs, read at once."""

    def __init__(self, records: list[LabRecord], ctx: Context):
        digests = {digest(i): i for r in records for i in r.hospital_ids}
        self.by_digest = dict(HospitalRecordNumber.objects.filter(digest__in=digests)
                              .values_list("digest", "participant_id"))
        self.record_digests = {i: d for d, i in digests.items()}
        screening = {(r.screening_number, r.date_of_birth) for r in records if r.screening_number and r.date_of_birth}
        q = Q(pk__in=set(self.by_digest.values()))
        for number, dob in screening:
            q |= Q(screening_number=number, date_of_birth=dob, site_id__in=ctx.site_ids)
        self.participants = {p.pk: p for p in Participant.objects.filter(q).select_related("site")}
        self.by_screening = {(p.screening_number, p.date_of_birth): p for p in self.participants.values()
                             if p.site_id in ctx.site_ids}
        ids = [pk for pk, p in self.participants.items() if p.site_id in ctx.site_ids]
        self._read_forms(ids, {r.result_key for r in records})

    @classmethod
    def for_participants(cls, ids, keys=()) -> Lookup:
        """The same facts for participants already matched (placing a result at a visit, the review
        page's visit choices): their visits, lab forms, locks, and earlier results with `keys`."""
        look = cls.__new__(cls)
        look._read_forms(list(ids), set(keys))
        return look

    def _read_forms(self, ids: list, keys: set) -> None:
        self.visits: dict = {}
        for v in Visit.objects.filter(participant_id__in=ids).order_by("month"):
            self.visits.setdefault(v.participant_id, []).append(v)
        self.panels = {p.visit_id: p for p in LabPanel.objects.filter(participant_id__in=ids)}
        locks = Lock.objects.filter(unlocked_at__isnull=True).filter(
            Q(scope=Scope.CASEBOOK, participant_id__in=ids)
            | Q(scope=Scope.CRF, object_id__in=[p.pk for p in self.panels.values()]))
        self.locked_participants = {lk.participant_id for lk in locks if lk.scope == Scope.CASEBOOK}
        self.locked_panels = {lk.object_id for lk in locks if lk.scope == Scope.CRF}
        self.earlier: dict = {}
        if not keys:
            return
        for row in (StagedResult.objects.filter(result_key__in=keys).exclude(status__in=NEVER_IMPORTED)
                    .order_by("id").values("result_key", "reported_value", "batch_id", "status")):
            self.earlier[row["result_key"]] = row  # the latest wins

    def locked(self, visit: Visit, database_locked: bool) -> bool:
        """Whether the lab form of `visit` is read-only (database, casebook or form lock)."""
        panel = self.panels.get(visit.pk)
        return (database_locked or visit.participant_id in self.locked_participants
                or (panel is not None and panel.pk in self.locked_panels))

    def participant(self, record: LabRecord, ctx: Context) -> Participant | None:
        for ident in record.hospital_ids:
            pid = self.by_digest.get(self.record_digests.get(ident))
            p = self.participants.get(pid)
            if p is not None and p.site_id in ctx.site_ids:
                return p
        if record.screening_number and record.date_of_birth:
            return self.by_screening.get((record.screening_number, record.date_of_birth))
        return None


def carries_lab_form(visit: Visit) -> bool:
    """A visit a lab result may be assigned to: the schedule lists the lab form there (crf.schedule)
    and the visit still applies (not after discontinuation)."""
    definition = BY_CODE.get(visit.code)
    return definition is not None and LABS in definition.crfs and not visit.not_applicable


def _visit_for(visits: list[Visit], day) -> Visit | None:
    inside = [v for v in visits if v.window_start <= day <= v.window_end and carries_lab_form(v)]
    return min(inside, key=lambda v: abs((v.target_date - day).days), default=None)


def decide(record: LabRecord, row: Row, look: Lookup, ctx: Context) -> None:
    """Fill `row` (status, explanation, participant, visit, value) from `record`."""
    def verdict(status, explanation=""):
        _set(row, status, explanation)

    if record.error:
        return verdict(Status.INVALID, record.error)
    row.field = _map(record, ctx.codes)
    if not row.field:
        return verdict(Status.UNMAPPED, explain(gettext_noop(
            "no mapping for this test code; the data manager can add one")))
    analyte = ANALYTES[row.field]
    p = look.participant(record, ctx)
    if p is None:
        return verdict(Status.UNMATCHED, explain(gettext_noop(
            "no participant of the importing sites has this hospital record number (or screening number and date "
            "of birth)")))
    row.participant = p
    zone = ZoneInfo(p.site.timezone)
    when = record.collected_at
    when = when.replace(tzinfo=zone) if timezone.is_naive(when) else when
    row.collected_at = when
    day = when.astimezone(zone).date()
    if when > ctx.now:
        return verdict(Status.INVALID, explain(gettext_noop("collected in the future")))
    if day < p.screening_date:
        return verdict(Status.INVALID, explain(gettext_noop(
            "collected before the participant was screened (%(day)s)"), day=p.screening_date.isoformat()))
    reading = read_result(analyte, record.value_text)
    if reading.problem:
        return verdict(Status.INVALID, explain(gettext_noop("%(value)s: %(problem)s"), value=repr(record.value_text),
                                               problem=reading.problem))
    row.value_choice = reading.choice
    if reading.number is not None and reading.unitless and not record.unit:
        row.value, row.value_unit = reading.number, (analyte.unit if analyte.unit_field else "")
    elif reading.number is not None:
        try:
            if analyte.units_kept and canonical_unit(record.unit) in analyte.units_kept:
                row.value, row.value_unit = reading.number, canonical_unit(record.unit)
            else:
                row.value = convert_lab_value(reading.number, record.unit, analyte.unit)
                row.value_unit = analyte.unit if analyte.unit_field else ""
        except UnitNotConvertible:
            return verdict(Status.UNIT, _unit_problem(record.unit, analyte.unit))
        digits, places = _field_limits(row.field)
        row.value = row.value.quantize(Decimal(1).scaleb(-places))
        if len(row.value.as_tuple().digits) > digits or row.value < 0:
            return verdict(Status.INVALID, explain(gettext_noop("%(value)s does not fit the form's field"),
                                                   value=str(row.value)))
    visit = _visit_for(look.visits.get(p.pk, []), day)
    if visit is None:
        return verdict(Status.OUTSIDE_WINDOW, explain(gettext_noop(
            "collected on %(day)s, outside every visit window"), day=day.isoformat()))
    classify_at_visit(row, visit, look, ctx, key=record.result_key, text=record.value_text,
                      result_status=record.result_status)


def _set(row, status: str, explanation="") -> None:
    """A row's status and why (labs.explain: the English text, its template and parameters)."""
    row.status = status
    keep(row, explanation)


def _unit_problem(unit: str, target: str):
    """Why a reported unit cannot reach the form's (docs/LAB_IMPORT.md "Units"): none reported, a
    spelling edc.clinical.units does not know, or no exact factor to the form's unit."""
    if not unit:
        return explain(gettext_noop("no unit reported"))
    try:
        canonical_unit(unit)
    except UnitNotConvertible:
        return explain(gettext_noop("Unknown unit %(unit)s"), unit=repr(unit))
    return explain(gettext_noop("%(unit)s cannot be converted to %(target)s"), unit=repr(unit), target=target)


def classify_at_visit(row, visit: Visit, look: Lookup, ctx: Context, *, key: str, text: str,
                      result_status: str) -> None:
    """Decide `row` against `visit`'s lab form: locked, duplicate, conflict, correction or ready.
    Staging calls it for the visit whose window holds the collection day; placing a result outside
    every window calls it for the visit the reviewer chose (docs/LAB_IMPORT.md "Placing a result
    outside a visit window")."""
    row.visit = visit
    if look.locked(visit, ctx.database_locked):
        _set(row, Status.INVALID, explain(gettext_noop("the lab form of %(visit)s is locked"), visit=visit.code))
        return
    _compare(row, look, ctx, look.panels.get(visit.pk), key=key, text=text, corrected=result_status == "corrected")


def _same(row: Row, panel: LabPanel) -> bool | None:
    """None when the form holds nothing for the field, else whether it holds this value."""
    current = getattr(panel, row.field) if panel else None
    if current in (None, ""):
        return None
    analyte = ANALYTES[row.field]
    if analyte.category:
        return current == row.value_choice
    same_unit = not analyte.unit_field or getattr(panel, analyte.unit_field) == row.value_unit
    return same_unit and Decimal(current) == row.value


def _shown_value(value, name: str):
    """A value the form holds, for an explanation: a number as it is, a category by its label (a
    word, shown in the reader's language)."""
    if ANALYTES[name].category:
        labels = dict(LabPanel._meta.get_field(name).choices)
        return word(labels[value]) if value in labels else str(value)
    return str(value)


def _compare(row: Row, look: Lookup, ctx: Context, panel, *, key: str, text: str, corrected: bool) -> None:
    shown = row.value_choice or row.value
    earlier = look.earlier.get(key)
    in_batch = ctx.seen_keys.get(key)
    slot = (row.participant.pk, row.visit.pk, row.field)
    ctx.seen_keys[key] = text
    if in_batch is not None and in_batch == text and not corrected:
        _set(row, Status.DUPLICATE, explain(gettext_noop("repeated in this file")))
        return
    holds = _same(row, panel)
    if corrected:
        if earlier is None and in_batch is None:
            _set(row, Status.INVALID, explain(gettext_noop("a correction for a result never imported")))
        elif holds is True or (earlier and earlier["reported_value"] == text and in_batch is None):
            _set(row, Status.DUPLICATE, explain(gettext_noop("the correction is already on the form")))
        else:
            before = in_batch if in_batch is not None else earlier["reported_value"]
            source = earlier["batch_id"] if earlier else row.batch_id
            _set(row, Status.CORRECTION, explain(gettext_noop("corrects %(value)s (batch #%(batch)s)"),
                                                 value=before, batch=source))
        ctx.seen_fields[slot] = shown
        return
    if earlier is not None and earlier["reported_value"] == text:
        _set(row, Status.DUPLICATE, explain(gettext_noop("already imported in batch #%(batch)s"),
                                            batch=earlier["batch_id"]))
    elif holds is True:
        _set(row, Status.DUPLICATE, explain(gettext_noop("the form already holds this value")))
    elif holds is False:
        _set(row, Status.CONFLICT, explain(gettext_noop("the form holds %(value)s"),
                                           value=_shown_value(getattr(panel, row.field), row.field)))
    elif slot in ctx.seen_fields and ctx.seen_fields[slot] != shown:
        _set(row, Status.CONFLICT, explain(gettext_noop("another result in this batch gives %(value)s"),
                                           value=_shown_value(ctx.seen_fields[slot], row.field)))
    elif slot in ctx.seen_fields:
        _set(row, Status.DUPLICATE, explain(gettext_noop("the same value is already in this batch")))
    else:
        _set(row, Status.READY)
    ctx.seen_fields.setdefault(slot, shown)
