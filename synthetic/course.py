"""One participant's course after randomization: the visits of the schedule (crf.schedule) with
the status each would have today, the disease under treatment (proteinuria falling to a complete,
partial or no response, more often on the uc-MSC arm; creatinine drifting up in non-responders),
and the end of follow-up (discontinuation, death). Lab panels are derived with the form's own
code (crf.ecrf.labs.derive: canonical units, eGFR by CKD-EPI 2021) and responses with the real
calculator (crf.ecrf.response.derive_from), so the end of follow-up can depend on them."""
import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from crf.ecrf import labs as labs_form
from crf.ecrf.response import derive_from as response_from
from crf.models import LabPanel, RenalResponse, Visit
from crf.models.discontinuation import DiscontinuationReason as Why
from crf.schedule import SCHEDULE, VisitDef
from edc.clinical.units import CREATININE_MG_DL, UPCR_MG_G, UPCR_MG_MMOL

from .context import Ctx
from .enrolment import Person

MISSED_REASONS = ["Participant travelling", "Could not be reached by phone", "Admitted to another hospital",
                  "Participant declined this visit", "Bad weather, clinic closed"]


@dataclass
class VisitPlan:
    defn: VisitDef
    visit: Visit
    status: str  # done, missed, overdue, open, scheduled, not_applicable
    day: date | None = None
    labs: LabPanel | None = None
    response: RenalResponse | None = None
    act: float = 1.0  # disease activity relative to month 0 (1 = as at baseline, 0 = quiet)
    weight: float = 60.0
    entered: datetime | None = None  # when the visit date was recorded
    forms: dict = field(default_factory=dict)  # crf key -> form saved at this visit


@dataclass
class Course:
    visits: list[VisitPlan]
    response_class: str
    end: tuple[date, str] | None = None  # (date, "death" | a DiscontinuationReason)
    pregnant_at_m6: bool = False
    height: float = 160.0
    extras: dict = field(default_factory=dict)
    end_entered: datetime | None = None
    infusions: list = field(default_factory=list)

    def done(self) -> list[VisitPlan]:
        return [v for v in self.visits if v.status == "done"]

    def by_code(self, code: str) -> VisitPlan:
        return next(v for v in self.visits if v.defn.code == code)


def plan(ctx: Ctx, p: Person) -> Course:
    rng, month0 = p.rng, p.month0
    msc = p.row.arm == "msc"
    complete, partial = (0.30, 0.30) if msc else (0.17, 0.23)
    response_class = rng.pick([("complete", complete), ("partial", partial), ("none", 1 - complete - partial)])
    visits = [VisitPlan(d, _visit(rng, p, d, month0), "") for d in SCHEDULE]
    _statuses(ctx, rng, visits, month0)
    course = Course(visits, response_class)
    female = p.participant.sex == "F"
    course.height = rng.clipped(160, 6, 145, 178) if female else rng.clipped(171, 7, 155, 190)
    _disease(ctx, p, course, female)
    _end(ctx, p, course, female)
    return course


def _visit(rng, p: Person, d: VisitDef, month0: date) -> Visit:
    start, end = d.window(month0)
    return Visit(id=rng.uuid(), participant=p.participant, code=d.code, month=d.month,
                 target_date=d.target(month0), window_start=start, window_end=end)


def _statuses(ctx: Ctx, rng, visits: list[VisitPlan], month0: date) -> None:
    """Done, missed, overdue (not yet recorded), open or scheduled, as the coordinators left them."""
    today, last, previous = ctx.today, ctx.last_day, month0 - timedelta(days=1)
    for v in visits:
        start, end, target = v.visit.window_start, v.visit.window_end, v.visit.target_date
        if v.defn.code == "m0":
            v.status = "done"
            v.day = min(last, month0 + timedelta(days=rng.choice([0, 0, 0, 1, 1, 2, 3])))
        elif end < today:
            if rng.chance(0.95):
                v.status = "done"
            elif end >= today - timedelta(days=45) and rng.chance(0.5):
                v.status = "overdue"  # not recorded yet either way
            else:
                v.status = "missed"
        elif start <= today:
            v.status = "done" if target <= last and rng.chance(0.6) else "open"
        else:
            v.status = "scheduled"
        if v.status == "done" and v.day is None:
            spread = max(1, min(v.defn.before, v.defn.after) / 2.5)
            day = target + timedelta(days=round(rng.gauss(0, spread)))
            v.day = min(max(day, start, previous + timedelta(days=1)), end, last)
        if v.status == "missed":
            v.visit.missed_reason = rng.choice(MISSED_REASONS)
        if v.day:
            previous = v.day


def _disease(ctx: Ctx, p: Person, c: Course, female: bool) -> None:
    rng = p.rng
    base_upcr = rng.lognormal(2.4, 0.5, 0.7, 9.0)
    if c.response_class == "complete":
        target = rng.uniform(0.08, 0.42) / base_upcr
    elif c.response_class == "partial":
        target = min(rng.uniform(0.18, 0.48), 2.8 / base_upcr)
    else:
        target = rng.uniform(0.55, 1.3)
    tau = rng.uniform(5, 8) if rng.chance(0.15) else rng.uniform(1.2, 3.5)  # months to respond
    relapse = rng.choice([18, 30, 42, 54]) if c.response_class != "none" and rng.chance(0.15) else None
    relapse_ratio = rng.uniform(0.6, 1.0)
    drift = rng.uniform(0, 0.012) if c.response_class == "none" else rng.uniform(-0.003, 0.002)
    creatinine0 = p.baseline_creatinine_umol * rng.uniform(0.95, 1.05)
    weight0 = rng.clipped(58, 9, 40, 100) if female else rng.clipped(70, 10, 48, 115)
    c.extras.update(c3=rng.uniform(0.4, 0.85), c4=rng.uniform(0.05, 0.16), dsdna=rng.lognormal(150, 0.5, 20, 800),
                    rbc=rng.uniform(4, 40))
    staff = p.staff
    baseline = None
    for v in c.visits:
        m = v.defn.month
        ratio = 1 + (target - 1) * (1 - math.exp(-m / tau))
        if relapse and m >= relapse:
            ratio = relapse_ratio
        upcr = base_upcr * ratio * math.exp(rng.gauss(0, 0.15)) if m else base_upcr
        v.act = min(1.2, upcr / base_upcr) if c.response_class == "none" else min(1.0, upcr / max(base_upcr, 1.0))
        v.weight = weight0 * (1 + 0.03 * min(m, 6) / 6 - 0.02 * min(max(0, m - 6), 12) / 12) * rng.uniform(0.99, 1.01)
        if v.status != "done":
            continue
        creatinine = creatinine0 * (1 + drift * min(m, 30)) * math.exp(rng.gauss(0, 0.05 if m else 0.0))
        v.labs = _labs(rng, p, v, upcr, creatinine, staff.upcr_unit, staff.creatinine_unit, c.extras)
        labs_form.derive(v.labs)  # the form's own derivation: canonical units and eGFR
        if m == 0:
            baseline = v.labs
        elif "response" in v.defn.crfs:
            v.response = RenalResponse(id=rng.uuid(), participant=p.participant, visit=v.visit)
            response_from(v.response, baseline, v.labs)


def _dec(value: float, places: int) -> Decimal:
    return Decimal(f"{value:.{places}f}")


def _labs(rng, p: Person, v: VisitPlan, upcr: float, creatinine: float, upcr_unit: str, cr_unit: str,
          x: dict) -> LabPanel:
    act = v.act
    if upcr_unit == UPCR_MG_MMOL:
        upcr_value = _dec(upcr * 113.12, 1)
    elif upcr_unit == UPCR_MG_G:
        upcr_value = _dec(upcr * 1000, 0)
    else:
        upcr_value = _dec(upcr, 3)
    cr_value = _dec(creatinine / 88.4, 2) if cr_unit == CREATININE_MG_DL else _dec(creatinine, 0)
    casts = "none"
    if act > 0.6:
        casts = rng.pick([("none", 67), ("red_cell", 25), ("heme_granular", 8)])
    sample_day = v.day - timedelta(days=1) if rng.chance(0.2) and v.defn.month else v.day
    return LabPanel(
        id=rng.uuid(), participant=p.participant, visit=v.visit, sample_date=max(sample_day, p.screening_date),
        upcr_value=upcr_value, upcr_unit=upcr_unit, upcr_specimen="spot",
        urine_protein_24h_g=_dec(upcr * rng.uniform(0.85, 1.15), 2) if rng.chance(0.2) else None,
        creatinine_value=cr_value, creatinine_unit=cr_unit,
        albumin_g_l=_dec(rng.clipped(42 - 3.2 * upcr + rng.gauss(0, 2), 2, 18, 48), 1),
        c3_g_l=_dec(max(0.2, x["c3"] + (1.05 - x["c3"]) * (1 - min(act, 1)) + rng.gauss(0, 0.05)), 3),
        c4_g_l=_dec(max(0.02, x["c4"] + (0.22 - x["c4"]) * (1 - min(act, 1)) + rng.gauss(0, 0.02)), 3),
        anti_dsdna_iu_ml=_dec(x["dsdna"] * (0.2 + 0.8 * min(act, 1)) * math.exp(rng.gauss(0, 0.2)), 1),
        urine_rbc_hpf=_dec(max(0, x["rbc"] * act + rng.gauss(0, 1.5)), 1),
        urine_wbc_hpf=_dec(max(0, rng.uniform(0, 8) * min(act, 1) + rng.gauss(0, 1)), 1), urinary_casts=casts,
        haemoglobin_g_l=_dec(rng.clipped(118 + 6 * (1 - min(act, 1)), 12, 80, 160), 1),
        wbc_10e9_l=_dec(rng.clipped(6.2, 1.8, 2.2, 12), 2), platelets_10e9_l=_dec(rng.clipped(210, 55, 70, 420), 1),
        alt_u_l=_dec(rng.lognormal(22, 0.35, 7, 120), 1), ast_u_l=_dec(rng.lognormal(21, 0.3, 10, 100), 1))


def _end(ctx: Ctx, p: Person, c: Course, female: bool) -> None:
    """Death or discontinuation of the intervention (protocol 2.5.3) at plausible low rates;
    afterwards the visits are not applicable (crf.services.discontinuation)."""
    rng, month0, today = p.rng, p.month0, ctx.today
    m6 = c.by_code("m6")
    candidates = []
    if rng.chance(0.012):
        day = month0 + timedelta(days=rng.randint(30, 1800))
        if day < today:
            candidates.append((day, "death"))
    if m6.status == "done":
        if female and rng.chance(0.01):
            candidates.append((m6.day, Why.PREGNANCY))
            c.pregnant_at_m6 = True
        elif m6.response and m6.response.category == "none" and rng.chance(0.12):
            candidates.append((min(ctx.last_day, m6.day + timedelta(days=rng.randint(0, 5))), Why.NO_RESPONSE_M6))
    for reason, chance, first, last in ((Why.ADVERSE_REACTION, 0.012, 1, 180), (Why.SEVERE_INFECTION, 0.015, 20, 400),
                                        (Why.WITHDREW_CONSENT, 0.02, 30, 1500), (Why.INVESTIGATOR, 0.008, 30, 900)):
        if rng.chance(chance):
            day = month0 + timedelta(days=rng.randint(first, last))
            if day < today:
                candidates.append((day, reason))
    if not candidates:
        return
    c.end = min(candidates, key=lambda e: e[0])
    if c.end[1] != Why.PREGNANCY:
        c.pregnant_at_m6 = False
    day, why = c.end
    for v in c.visits:
        if v.day and v.day <= day:
            continue
        if v.defn.code == "m0":
            continue
        v.day, v.labs, v.response = None, None, None
        if v.visit.window_start > day:
            v.status, v.visit.missed_reason = "not_applicable", ""
            v.visit.not_applicable = True
        elif v.status in ("done", "open", "overdue", "missed"):
            v.status = "missed"
            v.visit.missed_reason = "Participant died" if why == "death" else "Discontinued"
