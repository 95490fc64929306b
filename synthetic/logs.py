"""The log forms of a participant: prednisone doses (protocol 2.5.2 taper, checked by
edc.clinical.prednisone), concomitant medications (2.5.5, checked by the form's own rule),
protocol deviations, the discontinuation and the death report."""
from datetime import date, timedelta
from decimal import Decimal

from crf.ecrf import conmeds as conmeds_form
from crf.ecrf import deviation as deviation_form
from crf.models import ConcomitantMedication, Death, Discontinuation, PrednisoneDose, ProtocolDeviation
from crf.models.deviation import DeviationCategory, DeviationSeverity
from crf.models.discontinuation import DiscontinuationReason as Why
from crf.models.prednisone import WeightSource
from crf.registry import SoftWarning
from crf.schedule import VITALS
from edc.clinical.prednisone import prednisone_flags
from edc.models import PriorTherapy

from .context import Ctx
from .course import Course
from .crfs import Saved
from .enrolment import Person

TAPER = {0: 1.0, 1: 0.6, 2: 0.4, 3: 0.25}  # fraction of the starting dose; then 7.5, and < 5 from month 5
FIRST_LINE = {  # what was stopped before month 0 (prior therapy, not a deviation: it ended before the study)
    PriorTherapy.GC_MPAA: [("Mycophenolate mofetil", "mycophenolate", "1 g twice daily")],
    PriorTherapy.GC_CYC: [("Cyclophosphamide (Euro-Lupus)", "cyclophosphamide", "500 mg IV every 2 weeks")],
    PriorTherapy.GC_BELIMUMAB: [("Belimumab", "belimumab", "10 mg/kg IV every 4 weeks"),
                                ("Mycophenolate mofetil", "mycophenolate", "750 mg twice daily")],
    PriorTherapy.GC_MPAA_CNI: [("Mycophenolate mofetil", "mycophenolate", "500 mg twice daily"),
                               ("Tacrolimus", "calcineurin_inhibitor", "2 mg twice daily")],
}
ANTIHYPERTENSIVES = [("Losartan", "50 mg once daily"), ("Valsartan", "80 mg once daily"),
                     ("Benazepril", "10 mg once daily"), ("Amlodipine", "5 mg once daily")]
DEATH_CAUSES = ["Sepsis", "Intracranial hemorrhage", "Sudden death NOS", "Myocardial infarction"]


def write_logs(ctx: Ctx, p: Person, course: Course) -> list[Saved]:
    saved = _prednisone(ctx, p, course)
    saved += _conmeds(ctx, p, course)
    saved += _deviations(ctx, p, course)
    saved += _end(ctx, p, course)
    return saved


def _add(ctx: Ctx, p: Person, key: str, obj, day: date, warnings=(), user=None, at=None) -> Saved:
    user = user or p.staff.clinician
    at = at or ctx.entered(p.rng, day, not_before=p.randomized_at)
    obj.soft_warnings = [w.as_dict() for w in warnings]
    ctx.writer.add(obj, at=at, user=user)
    return Saved(key, obj, at, user, list(warnings))


def _weight_on(course: Course, day: date):
    weights = [(v.day, v.forms[VITALS].weight_kg) for v in course.done() if VITALS in v.forms and v.day <= day]
    return max(weights)[1] if weights else None


def _prednisone(ctx: Ctx, p: Person, course: Course) -> list[Saved]:
    rng = p.rng
    m0 = course.by_code("m0")
    weight0 = float(_weight_on(course, m0.day) or m0.weight)
    start = max(20, int(weight0 * rng.uniform(0.6, 1.0) / 5) * 5)  # ≤ 1.0 mg/kg/day and ≤ 80 (protocol 2.5.2)
    start = min(start, 80)
    late_taper = rng.chance(0.08)  # still at 5 mg/day or more at month 6: flagged (protocol 2.5.2)
    low = rng.choice([Decimal("2.5"), Decimal(4)])
    doses = {m: Decimal(start) if m == 0 else Decimal(str(max(10, round(start * f / 2.5) * 2.5)))
             for m, f in TAPER.items()}
    doses[4] = Decimal("7.5")
    doses[5] = Decimal("7.5") if late_taper else low
    doses[6] = Decimal(5) if late_taper else low
    m6_target = course.by_code("m6").visit.target_date
    stop = min(ctx.last_day, course.end[0] if course.end else ctx.last_day)
    rows = []
    for month, dose in sorted(doses.items()):
        v = course.by_code(f"m{month}")
        day = v.day or v.visit.target_date
        if day > stop or (rows and (day <= rows[-1][0] or dose == rows[-1][1])):
            continue  # a row only when the dose changes
        rows.append((day, dose))
    saved = []
    for i, (day, dose) in enumerate(rows):
        later = [d for d, _x in rows[i + 1:] if d <= m6_target]
        at_m6 = day <= m6_target <= ctx.last_day and not later  # crf.prednisone_doses.in_force_at_month6
        weight = _weight_on(course, day)
        source = WeightSource.VITALS if weight is not None else WeightSource.ENTERED
        weight = weight if weight is not None else Decimal(f"{course.by_code('m0').weight:.1f}")
        flags = prednisone_flags(dose, weight, at_m6)
        row = PrednisoneDose(id=rng.uuid(), participant=p.participant, start_date=day, dose_mg_day=dose,
                             weight_kg=weight, weight_source=source)
        saved.append(_add(ctx, p, "prednisone", row, day, [SoftWarning(f.code, f.message, "dose_mg_day")
                                                           for f in flags]))
    return saved


def _conmed(rng, p, drug, category, dose, indication, *, start=None, stop=None) -> ConcomitantMedication:
    return ConcomitantMedication(id=rng.uuid(), participant=p.participant, drug_name=drug, category=category,
                                 dose_text=dose, start_date=start, started_before_screening=start is None,
                                 stop_date=stop, indication=indication)


def _conmeds(ctx: Ctx, p: Person, course: Course) -> list[Saved]:
    rng, month0 = p.rng, p.month0
    last = min(ctx.last_day, course.end[0]) if course.end else ctx.last_day
    rows = [_conmed(rng, p, drug, category, dose, "Lupus nephritis (first-line therapy)",
                    stop=month0 - timedelta(days=rng.randint(1, 14)))
            for drug, category, dose in FIRST_LINE[p.prior_therapy]]
    if rng.chance(0.85):
        rows.append(_conmed(rng, p, "Hydroxychloroquine", "hydroxychloroquine", "200 mg twice daily", "SLE"))
    if rng.chance(0.65):
        drug, dose = rng.choice(ANTIHYPERTENSIVES)
        start = None if rng.chance(0.7) else min(last, month0 + timedelta(days=rng.randint(0, 300)))
        rows.append(_conmed(rng, p, drug, "antihypertensive", dose, "Hypertension / proteinuria", start=start))
    if rng.chance(0.8):
        rows.append(_conmed(rng, p, "Calcium carbonate + vitamin D3", "other", "600 mg + 125 IU twice daily",
                            "Bone protection on glucocorticoids", start=month0))
    if rng.chance(0.5):
        rows.append(_conmed(rng, p, "Omeprazole", "other", "20 mg once daily", "Gastric protection", start=month0,
                            stop=min(last, month0 + timedelta(days=rng.randint(60, 200)))))
    prohibited = None
    if rng.chance(0.03) and (last - month0).days > 220:  # a flare treated with a prohibited drug (2.5.5)
        prohibited = _conmed(rng, p, "Mycophenolate mofetil", "mycophenolate", "500 mg twice daily", "Lupus flare",
                             start=month0 + timedelta(days=rng.randint(200, min(700, (last - month0).days))))
        rows.append(prohibited)
    saved = []
    for row in rows:
        day = max(month0, row.start_date or month0)
        saved.append(_add(ctx, p, "conmeds", row, day, conmeds_form.soft_checks(row)))
    if prohibited is not None:
        d = ProtocolDeviation(id=rng.uuid(), participant=p.participant, date=prohibited.start_date,
                              severity=DeviationSeverity.MAJOR, conmed=prohibited,
                              corrective_action="Stopped; investigator re-trained on protocol 2.5.5.",
                              **{k: v for k, v in deviation_form.initial_from_conmed(prohibited).items()
                                 if k in ("category", "description")})
        saved.append(_add(ctx, p, "deviation", d, prohibited.start_date, deviation_form.soft_checks(d)))
    return saved


def _deviations(ctx: Ctx, p: Person, course: Course) -> list[Saved]:
    rng, saved = p.rng, []
    late = [v for v in course.done() if v.defn.month and abs((v.day - v.visit.target_date).days) >= v.defn.after - 1]
    if late and rng.chance(0.5):
        v = rng.choice(late)
        saved.append(_deviation(ctx, p, v.day, DeviationSeverity.MINOR, DeviationCategory.VISIT_WINDOW,
                                f"{v.visit.label} visit on {v.day}, at the edge of its window (target "
                                f"{v.visit.target_date})."))
    if rng.chance(0.03):
        v = course.by_code("m0")
        saved.append(_deviation(ctx, p, v.day, DeviationSeverity.MINOR, DeviationCategory.CONSENT,
                                "Consent form version 1.0 used after version 1.1 was approved; re-consented."))
    if rng.chance(0.02) and course.infusions:
        i = course.infusions[0]
        saved.append(_deviation(ctx, p, i.started_at.astimezone(ctx.zone).date(), DeviationSeverity.MINOR,
                                DeviationCategory.DOSING, "Infusion started 90 minutes after the planned time."))
    if rng.chance(0.005):
        saved.append(_deviation(ctx, p, course.by_code("m0").day, DeviationSeverity.MAJOR,
                                DeviationCategory.ELIGIBILITY, "Enrolled with eGFR 44 on the repeat sample."))
    return saved


def _deviation(ctx, p, day, severity, category, description) -> Saved:
    d = ProtocolDeviation(id=p.rng.uuid(), participant=p.participant, date=day, severity=severity, category=category,
                          description=description, corrective_action="Site re-trained.")
    return _add(ctx, p, "deviation", d, day, deviation_form.soft_checks(d))


def _end(ctx: Ctx, p: Person, course: Course) -> list[Saved]:
    if course.end is None:
        return []
    rng, (day, why) = p.rng, course.end
    if why == "death":
        cause = rng.choice(DEATH_CAUSES)
        course.death_cause = cause
        d = Death(id=rng.uuid(), participant=p.participant, date=day, cause=cause,
                  relatedness="Unlikely related to the study intervention.", autopsy=rng.chance(0.1))
        return [_add(ctx, p, "death", d, day, at=course.end_entered)]
    details = {Why.INVESTIGATOR: "Persistent non-adherence to visits.",
               Why.WITHDREW_CONSENT: "Moved to another city; withdrew consent for further treatment."}.get(why, "")
    d = Discontinuation(id=rng.uuid(), participant=p.participant, date=day, reason=why, details=details)
    return [_add(ctx, p, "discontinuation", d, day, at=course.end_entered)]
