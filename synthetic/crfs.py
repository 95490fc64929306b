"""The visits and the forms of each visit that took place (crf.schedule lists which), computed by
the forms' own code: BILAG-2004 renal grade (crf.ecrf.bilag), SLEDAI-2K total and the labs'
suggestions (crf.ecrf.sledai), the renal response (course), the soft edit checks (saved anyway,
each one becoming an automatic query like crf.services.queries.auto_queries does)."""
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from crf.ecrf import bilag as bilag_form
from crf.ecrf import biospecimen as biospecimen_form
from crf.ecrf import infusion as infusion_form
from crf.ecrf import labs as labs_form
from crf.ecrf import pregnancy as pregnancy_form
from crf.ecrf import response as response_form
from crf.ecrf import sledai as sledai_form
from crf.models import (
    BilagRenal,
    Biospecimen,
    CrfStatus,
    InfusionAdministration,
    PregnancyTest,
    SledaiAssessment,
    VitalSigns,
)
from crf.models.biospecimen import SampleType
from crf.models.pregnancy import PregnancyResult
from crf.schedule import BILAG, BIOSPECIMEN, INFUSION, LABS, PREGNANCY, RESPONSE, SLEDAI, VITALS
from edc.clinical.dosing import msc_total_cells
from edc.clinical.sledai import sledai_2k_total
from randomization.models import BagPreparation

from .context import Ctx
from .course import Course, VisitPlan
from .enrolment import Person

OPTIONAL_MISSING = {VITALS, SLEDAI, BIOSPECIMEN}  # now and then a form of a done visit is not entered
CLINICAL_DESCRIPTORS = [("rash", 0.25), ("alopecia", 0.15), ("arthritis", 0.15), ("mucosal_ulcers", 0.10),
                        ("pleurisy", 0.03), ("fever", 0.03), ("vasculitis", 0.02)]


@dataclass
class Saved:
    """A form as entered: for queries and source-data verification afterwards."""
    key: str
    obj: object
    at: datetime
    user: object
    warnings: list
    answered_at: datetime | None = None  # when a query on it was answered (verification comes after)


def write_visits(ctx: Ctx, p: Person, course: Course) -> None:
    w, s = ctx.writer, p.staff
    end_at = _end_entry(ctx, p, course)
    for v in course.visits:
        visit = v.visit
        final = (visit.missed_reason, visit.not_applicable)
        visit.missed_reason, visit.not_applicable = "", False
        w.add(visit, at=p.randomized_at, user=s.clinician, reason="Schedule created at randomization")
        visit.missed_reason, visit.not_applicable = final
        if v.status == "done":
            visit.visit_date, visit.recorded_by = v.day, s.coordinator
            v.entered = ctx.entered(p.rng, v.day, not_before=p.randomized_at)
            w.change(visit, at=v.entered, user=s.coordinator, reason="Visit date recorded")
        elif v.status == "missed":
            visit.recorded_by = s.coordinator
            at = min(ctx.now - timedelta(hours=1),
                     ctx.at(visit.window_end + timedelta(days=p.rng.randint(1, 7)), 11))
            w.change(visit, at=max(at, end_at or at) if visit.missed_reason in ("Participant died", "Discontinued")
                     else at, user=s.coordinator, reason="Marked missed")
        elif v.status == "not_applicable":
            w.change(visit, at=end_at, user=s.clinician, reason="Died" if course.end[1] == "death" else "Discontinued")


def _end_entry(ctx: Ctx, p: Person, course: Course):
    if course.end is None:
        return None
    course.end_entered = ctx.entered(p.rng, course.end[0], max_days=5, not_before=p.randomized_at)
    return course.end_entered


def write_forms(ctx: Ctx, p: Person, course: Course) -> list[Saved]:
    saved: list[Saved] = []
    previous: VisitPlan | None = None
    baseline = course.by_code("m0").labs
    for v in course.done():
        rng = p.rng
        keys = [k for k in v.defn.crfs if not (v.defn.month and k in OPTIONAL_MISSING and rng.chance(0.01))]
        forms: dict[str, object] = {}
        for key in keys:
            obj, warnings = _form(ctx, p, course, v, key, forms, previous, baseline)
            if obj is None:
                continue
            forms[key] = obj
            user = p.staff.coordinator if key in (VITALS, LABS, BIOSPECIMEN) else p.staff.clinician
            at = v.entered + timedelta(minutes=5 * len(forms))
            obj.soft_warnings = [w.as_dict() for w in warnings]
            if at > ctx.now - timedelta(days=30) and rng.chance(0.02):
                obj.status = CrfStatus.IN_PROGRESS  # a draft still being completed
            ctx.writer.add(obj, at=at, user=user)
            saved.append(Saved(key, obj, at, user, warnings))
        v.forms = forms
        previous = v
    return saved


def _form(ctx, p, course, v: VisitPlan, key, forms, previous, baseline):
    rng = p.rng
    if key == VITALS:
        return _vitals(p, course, v), []
    if key == LABS:
        return v.labs, labs_form.lab_warnings(v.labs, baseline if v.defn.month else None)
    if key == SLEDAI:
        return _sledai(ctx, p, v), []
    if key == BILAG:
        b = BilagRenal(id=rng.uuid(), participant=p.participant, visit=v.visit, dipstick_protein=None,
                       nephrotic_syndrome=float(v.labs.upcr_g_g) >= 3.0 and v.labs.albumin_g_l < 30,
                       active_urinary_sediment=bool(v.labs.urine_rbc_hpf > 5 or v.labs.urine_wbc_hpf > 5
                                                    or v.labs.casts_for_sledai),
                       histological_active_nephritis=v.defn.month == 0 and (
                           v.day - p.eligibility.biopsy_date).days <= 90,
                       accelerated_hypertension=False)
        prev_labs = previous.labs if previous else None
        prev_forms = getattr(previous, "forms", {}) if previous else {}
        bilag_form.grade_from(b, bilag_form.inputs_from(b, v.labs, prev_labs, forms.get(VITALS),
                                                        prev_forms.get(VITALS), prev_forms.get(BILAG)))
        return b, bilag_form.soft_checks(b)
    if key == RESPONSE:
        r = v.response
        r.investigator_confirmed = rng.chance(0.97)
        if not r.investigator_confirmed:
            r.investigator_comment = "Borderline eGFR fall attributed to dehydration; to be re-assessed."
        return r, response_form.soft_checks(r)
    if key == INFUSION:
        return _infusion(ctx, p, course, v, forms)
    if key == BIOSPECIMEN:
        if p.bio_consent is None:
            return None, []
        collected = ctx.at(v.day, rng.randint(8, 10), rng.randrange(60))
        b = Biospecimen(id=rng.uuid(), participant=p.participant, visit=v.visit,
                        sample_type=SampleType.BLOOD_AND_URINE, tubes=rng.randint(4, 8), collected_at=collected,
                        frozen_at=collected + timedelta(minutes=rng.randint(25, 100)), storage_temp_c=Decimal("-80"),
                        freezer=f"F-{p.staff.site.participant_prefix}-{rng.randint(1, 3)}",
                        box=f"B{v.day.year}-{rng.randint(1, 60):03d}", position=f"{rng.choice('ABCDEFGH')}1–4")
        return b, biospecimen_form.soft_checks(b)
    if key == PREGNANCY:
        if p.participant.sex == "M":
            t = PregnancyTest(result=PregnancyResult.NOT_APPLICABLE)
        else:
            positive = v.defn.code == "m6" and course.pregnant_at_m6
            t = PregnancyTest(result=PregnancyResult.POSITIVE if positive else PregnancyResult.NEGATIVE,
                              test_date=v.day)
        t.id, t.participant, t.visit = rng.uuid(), p.participant, v.visit
        return t, pregnancy_form.soft_checks(t)
    raise ValueError(key)


def _vitals(p: Person, course: Course, v: VisitPlan) -> VitalSigns:
    rng, act = p.rng, min(v.act, 1)
    sbp = round(rng.clipped(124 + 8 * act, 11, 96, 156))
    return VitalSigns(
        id=rng.uuid(), participant=p.participant, visit=v.visit, measured_on=v.day, systolic_bp=sbp,
        diastolic_bp=round(rng.clipped(78 + 4 * act, 7, 56, min(98, sbp - 20))),
        heart_rate=round(rng.clipped(76, 9, 54, 110)),
        temperature_c=Decimal(f"{rng.clipped(36.6, 0.22, 36.0, 37.5):.1f}"),
        weight_kg=Decimal(f"{v.weight:.1f}"),
        height_cm=Decimal(f"{course.height:.1f}") if v.defn.month == 0 else None)


def _sledai(ctx: Ctx, p: Person, v: VisitPlan) -> SledaiAssessment:
    rng = p.rng
    s = SledaiAssessment(id=rng.uuid(), participant=p.participant, visit=v.visit, window_days=30)
    # Ticked as the labs suggest: lab_evidence's codes (its evidence texts are for the page; every
    # suggested descriptor is one the panel can judge, so the codes are the suggested ones in form order).
    suggested = sledai_form._suggested(v.labs, ctx.ranges)
    evidence = [code for code in sledai_form.CODES if code in suggested]
    for code in evidence:
        setattr(s, code, True)
    fade = 1.0 if v.defn.month == 0 else 0.6 * min(v.act, 1)
    for code, chance in CLINICAL_DESCRIPTORS:
        if rng.chance(chance * fade):
            setattr(s, code, True)
    s.total = sledai_2k_total(sledai_form.ticked(s))
    s.lab_suggestions = list(evidence)
    return s


def _infusion(ctx: Ctx, p: Person, course: Course, v: VisitPlan, forms):
    """Bag prepared by the pharmacy (the dose from the real calculator; a placebo bag holds no
    cells), then the infusion on the ward, > 30 minutes, 100 mL (protocol 2.5, 2.8)."""
    rng, s = p.rng, p.staff
    if course.end and course.end[0] <= v.day:
        return None, []  # stopped at this visit (no response at month 6, pregnancy)
    vitals = forms.get(VITALS)
    weight = vitals.weight_kg if vitals else Decimal(f"{v.weight:.1f}")
    prepared = max(ctx.at(v.day, rng.randint(8, 9), rng.randrange(60)), p.randomized_at + timedelta(minutes=20))
    start = (prepared + timedelta(minutes=rng.randint(30, 120))).replace(second=0, microsecond=0)
    end = start + timedelta(minutes=rng.randint(35, 75))
    if end > ctx.now:
        return None, []  # still running (a visit this morning)
    msc = p.row.arm == "msc"
    dose = msc_total_cells(float(weight))
    bag = BagPreparation(id=rng.uuid(), participant=p.participant, infusion=v.defn.code, body_weight_kg=weight,
                         dose_cells=dose, product_lot=f"UCMSC-{v.day:%y%m}-{rng.randint(1, 40):02d}",
                         cell_count=round(dose * rng.uniform(0.97, 1.05)) if msc else None,
                         viability_pct=Decimal(f"{rng.uniform(85, 98):.1f}") if msc else None,
                         prepared_by=s.pharmacist, prepared_at=prepared, checked_by=s.pharmacist2)
    ctx.writer.add(bag, at=prepared + timedelta(minutes=3), user=s.pharmacist)
    reaction = rng.chance(0.03)
    i = InfusionAdministration(
        id=rng.uuid(), participant=p.participant, visit=v.visit, bag_blind_code=p.randomization.blind_code,
        started_at=start, ended_at=end, volume_ml=100,
        infusion_reaction=reaction,
        reaction_description="Chills and flushing 20 minutes into the infusion; slowed, resolved." if reaction else "")
    infusion_form.derive(i)
    v.entered = max(v.entered, i.ended_at + timedelta(minutes=10))
    course.infusions.append(i)
    return i, infusion_form.soft_checks(i)
