"""The enrolment path as the real services leave it (protocol 2.2-2.4, 2.7): screening log entry,
main and biospecimen consent, the eligibility assessment with the verdict of the real calculator
(edc.clinical.eligibility), enrolment with the participant ID, randomization to the next unused
row of the stratum, and about one screen failure for every four randomized (20 % of screened)."""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Max

from edc.clinical.eligibility import EligibilityInput, assess_eligibility
from edc.clinical.units import CREATININE_MG_DL
from edc.models import Consent, ConsentKind, EligibilityAssessment, Participant, ParticipantStatus, PriorTherapy
from edc.services.enrolment import participant_code
from randomization.models import AllocationRow, Randomization

from .context import Ctx, SiteStaff
from .rng import Rng, rng_for

THERAPY_WEIGHTS = [(PriorTherapy.GC_MPAA, 40), (PriorTherapy.GC_CYC, 25), (PriorTherapy.GC_BELIMUMAB, 15),
                   (PriorTherapy.GC_MPAA_CNI, 20)]
STRATUM_OF = {PriorTherapy.GC_MPAA: "s1", PriorTherapy.GC_CYC: "s2", PriorTherapy.GC_BELIMUMAB: "s3",
              PriorTherapy.GC_MPAA_CNI: "s4"}  # randomization.services.strata.DEFAULT_STRATA
FAILURES = [("declined", 10), ("withdrew", 5), ("partial_response", 25), ("too_early", 10), ("egfr", 20),
            ("age", 5), ("acr", 5), ("exclusion", 20)]
EXCLUSION_NOTES = {
    "exc4": "Overlap with systemic sclerosis (anti-Scl-70 positive).",
    "exc6": "Uncontrolled heart failure, NYHA III.",
    "exc8": "Papillary thyroid carcinoma treated in 2019.",
    "exc10": "Pulmonary tuberculosis on treatment.",
    "exc14": "Took part in another drug trial 3 weeks ago.",
}
BIOPSY_CLASSES = [("III", 25), ("IV", 40), ("V", 10), ("III+V", 10), ("IV+V", 15)]
INITIAL_LETTERS = "ABCDFGHJKLMNPQRSTWXYZ"


@dataclass
class Person:
    key: str
    kind: str  # "randomized" | "failed" | "pending"
    staff: SiteStaff
    screening_date: date
    prior_therapy: str
    randomized_at: datetime | None = None
    enrolled_at: datetime | None = None
    failure: str = ""
    screening_number: str = ""
    enrolment_number: int | None = None
    row: AllocationRow | None = None
    baseline_creatinine_umol: float = 0.0
    participant: Participant | None = None
    eligibility: EligibilityAssessment | None = None
    randomization: Randomization | None = None
    bio_consent: Consent | None = None
    rng: Rng = field(default=None, repr=False)

    @property
    def month0(self) -> date | None:
        return self.randomization.month0_date if self.randomization else None


def plan(ctx: Ctx, n: int, pending: int, sites: list[SiteStaff]) -> list[Person]:
    """Who is screened where and when: `n` randomized (month 0 spread from five years ago to a few
    days ago), one screen failure per four, and `pending` enrolled in the last days, not randomized."""
    rng = rng_for(ctx.seed, "plan" + ctx.salt)
    weights = [(s, 1 / (i + 1) ** 0.5) for i, s in enumerate(sites)]
    first, last = ctx.first_day, ctx.today - timedelta(days=3)
    span = (last - first).days
    if n <= 96:  # the trial's own shape: four strata of up to 24
        therapies = [THERAPY_WEIGHTS[i % 4][0] for i in range(n)]
        rng.shuffle(therapies)
    else:
        therapies = [rng.pick(THERAPY_WEIGHTS) for _ in range(n)]
    people = []
    for i in range(n):
        day = first + timedelta(days=int((i + (rng.random() / 2 if i else 0)) * span / n))  # the first: 5 years
        p = _person(ctx, f"r{i}", "randomized", rng.pick(weights), day, therapies[i])
        p.randomized_at = ctx.at(day, p.rng.randint(9, 15), p.rng.randrange(60))
        p.enrolled_at = p.randomized_at - timedelta(minutes=p.rng.randint(5, 40))
        p.screening_date = day - timedelta(days=p.rng.randint(5, 28))
        people.append(p)
    for i in range(round(n / 4)):
        day = first - timedelta(days=20) + timedelta(days=rng.randrange(span + 15))
        p = _person(ctx, f"f{i}", "failed", rng.pick(weights), day, rng.pick(THERAPY_WEIGHTS))
        p.failure = p.rng.pick(FAILURES)
        people.append(p)
    for i in range(pending):
        p = _person(ctx, f"p{i}", "pending", rng.pick(weights), ctx.today - timedelta(days=rng.randint(3, 20)),
                    rng.pick(THERAPY_WEIGHTS))
        p.enrolled_at = min(ctx.now - timedelta(minutes=30), ctx.at(p.screening_date + timedelta(days=2), 10))
        people.append(p)
    _number(people)
    return people


def _person(ctx, key, kind, staff, screening_date, therapy) -> Person:
    return Person(key=key, kind=kind, staff=staff, screening_date=screening_date, prior_therapy=therapy,
                  rng=rng_for(ctx.seed, "person", key + ctx.salt))


def _number(people: list[Person]) -> None:
    """Screening numbers in screening order per site, enrolment numbers in enrolment order, each
    continuing after what the site already has."""
    by_site: dict[int, list[Person]] = {}
    for p in people:
        by_site.setdefault(p.staff.site.pk, []).append(p)
    for group in by_site.values():
        site = group[0].staff.site
        screened = site.participants.count()
        enrolled = site.participants.aggregate(n=Max("enrolment_number"))["n"] or 0
        for rank, p in enumerate(sorted(group, key=lambda p: (p.screening_date, p.key)), start=1):
            p.screening_number = f"{screened + rank:05d}"
        for rank, p in enumerate(sorted((p for p in group if p.enrolled_at),
                                        key=lambda p: (p.enrolled_at, p.key)), start=1):
            p.enrolment_number = enrolled + rank


def allocate(people: list[Person], rows: dict[str, list[AllocationRow]]) -> None:
    """Each randomized participant takes the lowest unused row of the stratum, in randomization
    order (randomization.services.randomize)."""
    for p in sorted((p for p in people if p.kind == "randomized"), key=lambda p: (p.randomized_at, p.key)):
        p.row = rows[STRATUM_OF[p.prior_therapy]].pop(0)
        p.row.used_at = p.randomized_at  # final state of the row, written with the list; "Allocated" below


def write(ctx: Ctx, p: Person) -> None:
    """Screening, consents, eligibility, enrolment and randomization of one person."""
    rng, w, s = p.rng, ctx.writer, p.staff
    female = rng.chance(0.88)  # lupus nephritis: about 9 in 10 are women
    age = int(rng.clipped(33, 10, 18.2, 64.8)) if p.failure != "age" else rng.randint(66, 72)
    dob = p.screening_date - timedelta(days=int(age * 365.25) + rng.randrange(1, 360))
    screened_at = ctx.office_time(rng, p.screening_date)
    part = Participant(id=rng.uuid(), site=s.site, screening_number=p.screening_number,
                       screening_date=p.screening_date, initials="".join(rng.choices(INITIAL_LETTERS, k=rng.choice(
                           [2, 3, 3]))), date_of_birth=dob, sex="F" if female else "M")
    p.participant = w.add(part, at=screened_at, user=s.clinician)
    if p.failure == "declined":
        part.status, part.screen_failure_reasons = ParticipantStatus.SCREEN_FAILED, ["exc1"]
        part.screen_failure_note = "Declined to take part after reading the information sheet."
        w.change(part, at=screened_at + timedelta(minutes=40), user=s.clinician, reason="Screen failure recorded")
        return
    consented_at = screened_at + timedelta(minutes=rng.randint(10, 90))
    w.add(Consent(id=rng.uuid(), participant=part, kind=ConsentKind.MAIN, form_version="1.1",
                  consented_at=consented_at, obtained_by=s.clinician),
          at=consented_at + timedelta(minutes=5), user=s.clinician)
    if rng.chance(0.85):
        at = consented_at + timedelta(minutes=rng.randint(5, 30))
        p.bio_consent = w.add(Consent(id=rng.uuid(), participant=part, kind=ConsentKind.BIOSPECIMEN,
                                      form_version="1.0", consented_at=at, obtained_by=s.clinician),
                              at=at + timedelta(minutes=5), user=s.clinician)
    if p.failure == "withdrew":
        part.status, part.screen_failure_reasons = ParticipantStatus.SCREEN_FAILED, ["withdrew"]
        part.screen_failure_note = "Withdrew before the eligibility assessment."
        w.change(part, at=consented_at + timedelta(days=2), user=s.clinician, reason="Screen failure recorded")
        return
    assessed_at = consented_at + timedelta(minutes=rng.randint(20, 120))
    p.eligibility = _eligibility(ctx, p, part, assessed_at)
    if not p.eligibility.eligible:
        part.status = ParticipantStatus.SCREEN_FAILED
        part.screen_failure_reasons = list(p.eligibility.failed_criteria)
        w.change(part, at=assessed_at, user=s.clinician, reason="Eligibility verdict")
        return
    if p.kind == "failed":
        raise AssertionError(f"{p.key}: a planned screen failure came out eligible")
    part.enrolment_number = p.enrolment_number
    part.participant_code = participant_code(s.site, p.enrolment_number)
    part.status, part.enrolled_at, part.enrolled_by = ParticipantStatus.ENROLLED, p.enrolled_at, s.clinician
    part.prior_therapy = p.prior_therapy
    w.change(part, at=p.enrolled_at, user=s.clinician, reason="Enrolled")
    if p.kind == "randomized":
        row = p.row
        w.change(row, at=p.randomized_at, user=s.clinician, reason="Allocated")
        p.randomization = w.add(Randomization(
            id=rng.uuid(), participant=part, row=row, blind_code=row.blind_code, randomized_at=p.randomized_at,
            randomized_by=s.clinician, month0_date=p.randomized_at.astimezone(ctx.zone).date()),
            at=p.randomized_at, user=s.clinician, reason="Randomized")


def _eligibility(ctx: Ctx, p: Person, part: Participant, assessed_at: datetime) -> EligibilityAssessment:
    rng, s = p.rng, p.staff
    screening = p.screening_date
    months_ago = rng.randint(200, 350) if p.failure != "too_early" else rng.randint(60, 150)
    first_line = screening - timedelta(days=months_ago)
    rebiopsy = rng.chance(0.3)  # a repeat biopsy shortly before screening (active LN confirmed)
    biopsy = screening - timedelta(days=rng.randint(10, 80)) if rebiopsy else first_line - timedelta(
        days=rng.randint(3, 30))
    answers = dict(
        acr_criteria_met=rng.randint(4, 9) if p.failure != "acr" else 3, biopsy_date=biopsy,
        biopsy_class=rng.pick(BIOPSY_CLASSES), biopsy_active=True, first_line_start_date=first_line,
        first_line_response="partial" if p.failure == "partial_response" else "none",
        inclusion_note="", severe_hepatic_dysfunction=False, creatinine_unit=s.creatinine_unit,
        creatinine_date=screening - timedelta(days=rng.randint(0, 3)),
        **{f"exc{n}": False for n in (2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14)},
        **{f"exc{n}_note": "" for n in (2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14)})
    if p.failure == "exclusion":
        code = rng.choice(sorted(EXCLUSION_NOTES))
        answers[code], answers[f"{code}_note"] = True, EXCLUSION_NOTES[code]
    a = EligibilityAssessment(id=rng.uuid(), participant=part, assessed_by=s.clinician, **answers)
    for _attempt in range(50):
        if p.failure == "egfr":  # eGFR at or below 45 (exclusion 5)
            umol = rng.uniform(150, 260) if part.sex == "F" else rng.uniform(200, 320)
        else:
            umol = rng.lognormal(80 if part.sex == "F" else 100, 0.25, 45, 170)
        a.creatinine_value = _creatinine(umol, s.creatinine_unit)
        verdict = _verdict(a, part)
        if verdict.eligible == (p.kind != "failed"):
            break
    a.age_at_screening, a.egfr = verdict.age, Decimal(f"{verdict.egfr:.1f}")
    a.months_on_first_line, a.eligible, a.failed_criteria = verdict.months_on_first_line, verdict.eligible, list(
        verdict.failed)
    p.baseline_creatinine_umol = umol
    ctx.writer.add(a, at=assessed_at, user=s.clinician)
    return a


def _creatinine(umol: float, unit: str) -> Decimal:
    if unit == CREATININE_MG_DL:
        return Decimal(f"{umol / 88.4:.2f}")
    return Decimal(f"{umol:.0f}")


def _verdict(a: EligibilityAssessment, part: Participant):
    # edc.services.eligibility._apply_verdict: the same input to the same calculator
    return assess_eligibility(EligibilityInput(
        date_of_birth=part.date_of_birth, sex=part.sex, screening_date=part.screening_date, main_consent_given=True,
        acr_criteria_met=a.acr_criteria_met, biopsy_class=a.biopsy_class, biopsy_active=a.biopsy_active,
        first_line_start_date=a.first_line_start_date, first_line_response=a.first_line_response,
        severe_hepatic_dysfunction=a.severe_hepatic_dysfunction, creatinine_value=float(a.creatinine_value),
        creatinine_unit=a.creatinine_unit, creatinine_date=a.creatinine_date,
        exclusions={name: getattr(a, name) for name in EligibilityAssessment.EXCLUSION_FIELDS}))

