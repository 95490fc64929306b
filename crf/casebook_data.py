"""What the CRF book PDFs print, gathered from the registry, the schedule and the database
(layout in crf.casebook_pdf). Every value leaves here as text, in the active language and site time.

The filled casebook is read with a fixed number of queries whatever the number of visits or forms
(one per form type, one for all queries with one for their messages, one for all signatures, one
for the names of the people involved, one per audited table for the audit trail), so printing the
casebook of a participant followed to month 60 costs what printing month 0 does.

Blinding: nothing here reads the allocation row; only the fields `edc.visible_fields` allows are
printed (the reader of a casebook is blinded staff: site, monitor, data manager).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from crf import registry
from crf.models import Query, Scope, Signature, Visit
from crf.schedule import SCHEDULE
from crf.services.review import SKIP, forms_of, review_context, status_of
from edc.selectors.audit_trail import participant_audit_trail
from edc.visible_fields import visible_fields

FMT = "%Y-%m-%d %H:%M"
BOX, INDENT = "[\u00a0\u00a0]", "\u00a0" * 5  # no-break spaces: a paragraph keeps them (the font has no ☐)
Clock = Callable[[datetime | None], str]  # a date-time in site time, "—" when empty
# Not data: where the form sits (participant, visit) or what the casebook prints in its own rows.
HIDDEN = SKIP | {"participant", "visit"}
STATUS = {"not_started": "Not started / 未开始", "in_progress": "In progress / 填写中",
          "complete": "Complete / 已完成", "verified": "Source data verified / 源数据已核查",
          "signed": "Signed / 已签名", "locked": "Locked / 已锁定"}


# ---- the blank book -------------------------------------------------------------------------

@dataclass(frozen=True)
class BlankField:
    label: str
    help_text: str
    answers: list[str]  # "[ ] choice" lines; empty: a blank space to write on
    hint: str = ""  # the expected format of a blank, e.g. YYYY-MM-DD
    tall: bool = False  # free text: a taller space


@dataclass(frozen=True)
class BlankForm:
    label: str
    when: str
    fields: list[BlankField]


@dataclass(frozen=True)
class ScheduleGrid:
    visits: list[str]
    windows: list[str]
    rows: list[tuple[str, list[bool] | str]]  # form label: due per visit, or a note for the whole row
    procedures: list[str]


def _answers(f: forms.Field) -> tuple[list[str], str, bool]:
    if isinstance(f, forms.BooleanField):  # NullBooleanField too
        return [f"{BOX} {_('Yes')}{INDENT}{BOX} {_('No')}"], "", False
    if isinstance(f, forms.ChoiceField) and not isinstance(f, forms.ModelChoiceField):
        lines = []
        for value, label in f.choices:
            if isinstance(label, list | tuple):  # an option group
                lines += [f"{value}:"] + [f"{INDENT}{BOX} {sub}" for v, sub in label if v not in ("", None)]
            elif value not in ("", None):
                lines.append(f"{BOX} {label}")
        return lines, "", False
    if isinstance(f, forms.DateTimeField):
        return [], "YYYY-MM-DD hh:mm", False
    if isinstance(f, forms.DateField):
        return [], "YYYY-MM-DD", False
    return [], "", isinstance(f.widget, forms.Textarea)


def blank_forms() -> list[BlankForm]:
    """Every registered form, per-visit and log, with every field of its (unbound) Django form."""
    due: dict[str, list[str]] = {}
    for v in SCHEDULE:
        for key in v.crfs:
            due.setdefault(key, []).append(v.code)
    out = []
    for t in registry.ordered():
        if t.log:
            when = "Log form: one entry per event, at any visit / 记录表：每个事件填写一条，任何访视均可"
        elif t.any_visit:
            when = "Any visit, when done / 任何访视（实施时填写）"
        else:
            when = f"Due at / 应填访视: {', '.join(due.get(t.key, []))}"
        fields = []
        for name, f in t.form().fields.items():
            if isinstance(f.widget, forms.HiddenInput):
                continue  # set by the system (e.g. a deviation's link to a medication), not written
            answers, hint, tall = _answers(f)
            fields.append(BlankField(capfirst(str(f.label or name)), str(f.help_text or ""), answers, hint, tall))
        out.append(BlankForm(str(t.label), when, fields))
    return out


def schedule_grid() -> ScheduleGrid:
    """The schedule of assessments (protocol 2.6): visits × forms, from crf.schedule and the registry."""
    rows: list[tuple[str, list[bool] | str]] = []
    for t in registry.ordered():
        if t.log or t.any_visit:
            rows.append((str(t.label), "any visit, as needed / 任何访视（按需）"))
        else:
            rows.append((str(t.label), [t.key in v.crfs for v in SCHEDULE]))
    windows = [f"0/+{v.after}" if v.before == 0 else f"±{v.before}" for v in SCHEDULE]
    procedures = [f"{v.code}: {', '.join(str(p) for p in v.procedures)}" for v in SCHEDULE if v.procedures]
    return ScheduleGrid([v.code for v in SCHEDULE], windows, rows, procedures)


# ---- the filled casebook --------------------------------------------------------------------

@dataclass
class FormData:
    title: str
    status: str
    values: list[tuple[str, str]]
    warnings: list[str] = field(default_factory=list)
    queries: list[str] = field(default_factory=list)  # one block of text per query, thread included
    verification: str = ""
    signatures: list[str] = field(default_factory=list)


@dataclass
class VisitData:
    title: str
    detail: str
    forms: list[FormData]


@dataclass
class AuditRow:
    when: str
    who: str
    record: str
    changes: str
    reason: str


@dataclass
class CasebookData:
    participant_code: str
    header: list[tuple[str, str]]
    visits: list[VisitData]
    logs: list[FormData]
    audit: list[AuditRow]
    printed_at: str
    printed_by: str


def _cap(value: str) -> str:
    """Capitalised like a form label, but "eGFR" stays "eGFR"."""
    return value if value[1:2].isupper() else capfirst(value)


def _clock(tz: ZoneInfo) -> Clock:
    return lambda value: timezone.localtime(value, tz).strftime(FMT) if value else "—"


def _plain(value: object) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def _value(obj, f, users: dict, objects: dict, clock: Clock) -> str:
    value = getattr(obj, f.attname)
    if value is None or value in ("", [], {}):
        return "—"
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if f.is_relation:
        return users.get(value) if f.related_model is get_user_model() else str(objects.get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime):
        return clock(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return "\n".join(_plain(v) for v in value)
    return _plain(value)


def _signature_line(s: Signature, clock: Clock) -> str:
    # 21 CFR 11.50: the manifestation shows the printed name, date-time and meaning of the signing;
    # an invalidated signature stays visible with when and why (11.10(e), ICH E6(R3) 4.2).
    signed = (f"Electronically signed by {s.printed_name}, {clock(s.signed_at)}, meaning: {s.meaning} "
              f"[{s.get_scope_display()}]")
    if s.invalidated_at:
        return f"Signature invalidated {clock(s.invalidated_at)}: {s.invalidated_reason}\n({signed})"
    return signed


def _query_block(q: Query, model, users: dict, clock: Clock) -> str:
    where = f" — {_cap(str(model._meta.get_field(q.field_name).verbose_name))}" if q.field_name else ""
    origin = f" · {q.get_origin_display()}" if q.origin == Query.Origin.EDIT_CHECK else ""
    lines = [f"[{q.get_status_display()}{origin}]{where}: {q.text}"]
    for m in sorted(q.messages.all(), key=lambda m: (m.at, m.id)):
        change = f" ({m.old_value} → {m.new_value})" if m.old_value or m.new_value else ""
        who = users.get(m.author_id, "system")
        lines.append(f"{INDENT}{clock(m.at)} {m.get_kind_display()} — {who}: {m.text}{change}")
    return "\n".join(lines)


def _form(t: registry.CrfType, obj, title: str, ctx: dict) -> FormData:
    model, clock, users = t.model, ctx["clock"], ctx["users"]
    values = [(_cap(str(f.verbose_name)), _value(obj, f, users, ctx["objects"], clock))
              for f in visible_fields(model, HIDDEN, frozenset(t.model for t in registry.ordered()))]
    signed_ids, locked_ids, all_locked = ctx["review"]
    status = status_of(obj, signed_ids=signed_ids, locked=all_locked or obj.pk in locked_ids)
    names = {f.name: _cap(str(f.verbose_name)) for f in model._meta.concrete_fields}
    warnings = [f"{names.get(w.get('field'), w.get('field') or '—')}: {w.get('message', '')}"
                for w in obj.soft_warnings or []]
    verification = "Not verified / 未核查"
    if obj.verified_at:  # source data verification by the monitor: who, when, which fields, still valid?
        scope = " (" + ", ".join(names.get(n, n) for n in obj.verified_fields) + ")" if obj.verified_fields else ""
        changed = " — changed since verification / 核查后已修改" if obj.changed_since_verification else ""
        verification = (f"Source data verified by {users.get(obj.verified_by_id, '—')}, "
                        f"{clock(obj.verified_at)}{scope}{changed}")
    visit_id = getattr(obj, "visit_id", None)
    signatures = [_signature_line(s, clock) for s in ctx["signatures"]
                  if s.scope in (Scope.CASEBOOK, Scope.DATABASE) or (s.scope == Scope.VISIT and s.visit_id == visit_id)
                  or (s.scope == Scope.CRF and s.object_id == obj.pk)]
    queries = [_query_block(q, model, users, clock) for q in ctx["queries"].get(obj.pk, [])]
    return FormData(title, STATUS.get(status, status), values, warnings, queries, verification, signatures)


def _visit_detail(v: Visit) -> str:
    parts = [f"Target / 目标日期 {v.target_date}", f"window / 窗口 {v.window_start} – {v.window_end}"]
    if v.visit_date:
        parts.append(f"visit date / 访视日期 {v.visit_date}")
    elif v.missed_reason:
        parts.append(f"missed / 缺失: {v.missed_reason}")
    elif v.not_applicable:
        parts.append("not applicable / 不适用")
    return " · ".join(parts)


def gather_casebook(participant, *, reader) -> CasebookData:
    from randomization.models import Randomization  # the blind code and dates only, never the row

    tz = ZoneInfo(participant.site.timezone)
    clock = _clock(tz)
    randomization = Randomization.objects.filter(participant=participant).only(
        "blind_code", "randomized_at", "month0_date").first()
    visits = list(Visit.objects.filter(participant=participant).order_by("month"))
    saved = forms_of(participant)
    query_map: dict = {}
    for q in Query.objects.filter(participant=participant).prefetch_related("messages").order_by("raised_at"):
        query_map.setdefault(q.object_id, []).append(q)
    signatures = list(Signature.objects.filter(participant=participant).order_by("signed_at"))
    User = get_user_model()
    user_ids = {obj.verified_by_id for _t, obj in saved}
    user_ids |= {getattr(obj, f.attname) for t, obj in saved for f in t.model._meta.concrete_fields
                 if f.is_relation and f.related_model is User}
    user_ids |= {m.author_id for qs in query_map.values() for q in qs for m in q.messages.all()}
    users = {u.pk: u.printed_name for u in User.objects.filter(pk__in=user_ids - {None})}
    ctx = {"clock": clock, "users": users, "objects": {obj.pk: obj for _t, obj in saved},
           "review": review_context(participant), "signatures": signatures, "queries": query_map}

    by_visit: dict = {}
    logs: list[FormData] = []
    visit_label = {v.pk: f"{v.label} ({v.code})" for v in visits}
    counters: dict[str, int] = {}
    for t, obj in saved:
        if t.log:
            counters[t.key] = counters.get(t.key, 0) + 1
            logs.append(_form(t, obj, f"{t.label} #{counters[t.key]} — {visit_label.get(obj.visit_id, '—')}", ctx))
        else:
            by_visit.setdefault(obj.visit_id, []).append(_form(t, obj, str(t.label), ctx))
    visit_data = [VisitData(visit_label[v.pk], _visit_detail(v), by_visit.get(v.pk, [])) for v in visits]

    audit = [AuditRow(clock(e.when), e.who, f"{e.record} ({e.action})",
                      "\n".join(f"{c.field}: {c.old} → {c.new}" for c in e.changes), e.reason)
             for e in participant_audit_trail(participant)]
    code = participant.participant_code or participant.label
    header = [
        ("Participant ID / 受试者编号", code),
        ("Blind code / 盲码", randomization.blind_code if randomization else "—"),
        ("Site / 研究中心", participant.site.name),
        ("Enrolled / 入组时间", clock(participant.enrolled_at)),
        ("Randomized / 随机时间", clock(randomization.randomized_at) if randomization else "—"),
        ("Month 0 (baseline) / 第0个月（基线）", str(randomization.month0_date) if randomization else "—"),
        ("Times / 时间", f"site time / 中心当地时间 ({tz.key})"),
    ]
    return CasebookData(code, header, visit_data, logs, audit, clock(timezone.now()), reader.printed_name)
