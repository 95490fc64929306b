"""Data review: automatic queries from the soft warnings saved anyway (one per warning,
crf.services.queries.auto_queries), queries a monitor raised on a field, their answers (now and
then with a corrected value, saved on the form with the answer as the reason) and closure, and
source-data verification of the key forms (labs, response, infusion) at months 0, 6 and 12."""
from datetime import timedelta
from decimal import Decimal

from crf.models import Query, QueryMessage

from .context import Ctx
from .crfs import Saved
from .enrolment import Person

# (form, field, query, answer, whether the answer corrects the value)
MANUAL = [
    ("labs", "alt_u_l", "ALT differs from the laboratory report in the source; please check.",
     "Transcription error; corrected from the laboratory report.", True),
    ("labs", "sample_date", "Sample date differs from the visit date; please confirm.",
     "Confirmed: the sample was taken the day before the visit.", False),
    ("labs", "haemoglobin_g_l", "Please confirm haemoglobin against the source report.",
     "Confirmed against the laboratory report.", False),
    ("vitals", "weight_kg", "Weight differs from the nursing record; please confirm.",
     "Confirmed against the nursing chart.", False),
    ("vitals", "heart_rate", "Heart rate looks copied from another visit; please verify.",
     "Corrected to the value in the nursing chart.", True),
    ("vitals", "systolic_bp", "Please confirm the blood pressure against the source.",
     "Confirmed; the repeat measurement is documented in the chart.", False),
    ("sledai", "arthritis", "Arthritis is ticked but no joint examination is documented.",
     "Joint examination documented in the clinic letter.", False),
]
VERIFIED = {"labs", "response", "infusion"}


def write_queries(ctx: Ctx, p: Person, saved: list[Saved]) -> None:
    rng = p.rng
    for s in saved:
        for w in s.warnings:
            q = _query(ctx, p, s, w.field, w.message, s.at, None, origin=Query.Origin.EDIT_CHECK, code=w.code)
            _lifecycle(ctx, p, q, s, "Confirmed against the source: the value is correct.", None)
    candidates = [s for s in saved if s.at < ctx.now - timedelta(days=14)]
    queried = set()
    for _ in range(rng.poisson(1.2)):
        key, name, text, answer, corrects = rng.choice(MANUAL)
        forms = [s for s in candidates if s.key == key and getattr(s.obj, name) not in (None, False)
                 and s.answered_at is None and s.obj.pk not in queried]
        if not forms:
            continue
        s = rng.choice(forms)
        queried.add(s.obj.pk)  # one reviewer query per form keeps its audit trail in time order
        raised = min(ctx.now - timedelta(hours=rng.randint(2, 300)), s.at + timedelta(days=rng.randint(7, 90)))
        # the answer-by date is part of the created row, so its history row carries it too
        q = _query(ctx, p, s, name, text, raised, ctx.monitor, origin=Query.Origin.MANUAL,
                   due_date=raised.astimezone(ctx.zone).date() + timedelta(days=14))
        _lifecycle(ctx, p, q, s, answer, name if corrects else None)
    for s in saved:
        visit = getattr(s.obj, "visit", None)
        if s.key in VERIFIED and visit and visit.month in (0, 6, 12) and rng.chance(0.7):
            at = max(s.at, s.answered_at or s.at) + timedelta(days=rng.randint(20, 120))
            if at < ctx.now:
                s.obj.verified_by, s.obj.verified_at = ctx.monitor, at
                ctx.writer.change(s.obj, at=at, user=ctx.monitor, reason="Source data verified")


def _query(ctx, p, s: Saved, field, text, raised, user, *, origin, code="", due_date=None) -> Query:
    q = Query(id=p.rng.uuid(), participant=p.participant, visit=getattr(s.obj, "visit", None), crf_key=s.key,
              object_id=s.obj.pk, field_name=field, text=str(text), origin=origin, warning_code=code,
              raised_by=user, raised_at=raised, due_date=due_date)
    ctx.writer.add(q, at=raised, user=user or s.user,
                   reason="Created" if user else "Edit-check warning saved anyway")
    ctx.writer.add(QueryMessage(query=q, kind=QueryMessage.Kind.RAISED, author=user or s.user, text=q.text,
                                at=raised), at=raised)
    return q


def _lifecycle(ctx: Ctx, p: Person, q: Query, s: Saved, answer: str, corrected: str | None) -> None:
    """Older queries are mostly answered and closed; recent ones still open or awaiting review."""
    rng, w = p.rng, ctx.writer
    old = q.raised_at < ctx.now - timedelta(days=60)
    fate = rng.pick([("closed", 85), ("answered", 10), ("open", 5)] if old else
                    [("closed", 20), ("answered", 30), ("open", 50)])
    if fate == "open":
        return
    answered = min(ctx.now - timedelta(minutes=30), q.raised_at + timedelta(hours=rng.randint(4, 24 * 12)))
    if answered <= q.raised_at:
        return
    old_value = new_value = ""
    if corrected:
        before = getattr(s.obj, corrected)
        after = before + rng.choice([-8, -6, -4, 4, 6, 8]) if isinstance(before, int) else (
            before * Decimal(str(round(rng.uniform(0.8, 1.2), 2)))).quantize(Decimal("0.1"))
        setattr(s.obj, corrected, after)
        w.change(s.obj, at=answered, user=s.user, reason=answer)
        old_value, new_value = str(before), str(after)
    s.answered_at = answered
    q.status = Query.Status.ANSWERED
    w.change(q, at=answered, user=p.staff.clinician, reason="Query answered")
    w.add(QueryMessage(query=q, kind=QueryMessage.Kind.ANSWERED, author=p.staff.clinician, text=answer,
                       old_value=old_value, new_value=new_value, at=answered), at=answered)
    if fate == "closed":
        closed = min(ctx.now - timedelta(minutes=5), answered + timedelta(hours=rng.randint(2, 24 * 20)))
        q.status, q.closed_at = Query.Status.CLOSED, closed
        w.change(q, at=closed, user=ctx.monitor, reason="Query closed")
        w.add(QueryMessage(query=q, kind=QueryMessage.Kind.CLOSED, author=ctx.monitor, text="Closed", at=closed),
              at=closed)
