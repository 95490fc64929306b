"""Adverse events (CTCAE v5.0 terms and grades, ICH E2A seriousness, NMPA causality), SAE cases
with the site's awareness time, reports, the reporting obligations of the active policies (met or,
for recent cases, still open) and the alerts the beat sweep would have sent for them: stages from
safety.deadlines, recipients and grouping from safety.services.alerts, each once, delivered."""
from datetime import timedelta

from django.urls import reverse
from django.utils import translation

from edc.models import Delivery, DeliveryAttempt, Notification
from edc.services.notifications import message_id
from safety import deadlines
from safety.models import AdverseEvent, ObligationAlert, SaeCase, SaeObligation, SaeReport
from safety.services import alerts

from .context import Ctx
from .course import Course
from .enrolment import Person

# (CTCAE v5.0 term, MedDRA SOC, weights of grades 1-4, chance serious, chance expected)
TERMS = [
    ("Upper respiratory infection", "Infections and infestations", (60, 35, 5, 0), 0.0, 0.6, 14),
    ("Urinary tract infection", "Infections and infestations", (40, 50, 10, 0), 0.05, 0.6, 8),
    ("Lung infection", "Infections and infestations", (0, 30, 60, 10), 0.6, 0.5, 4),
    ("Herpes zoster", "Infections and infestations", (20, 60, 20, 0), 0.1, 0.6, 4),
    ("Nausea", "Gastrointestinal disorders", (70, 28, 2, 0), 0.0, 0.3, 6),
    ("Diarrhea", "Gastrointestinal disorders", (70, 27, 3, 0), 0.0, 0.3, 6),
    ("Headache", "Nervous system disorders", (75, 24, 1, 0), 0.0, 0.3, 7),
    ("Fatigue", "General disorders and administration site conditions", (70, 28, 2, 0), 0.0, 0.3, 6),
    ("Fever", "General disorders and administration site conditions", (60, 35, 5, 0), 0.02, 0.3, 5),
    ("Hypertension", "Vascular disorders", (20, 60, 20, 0), 0.02, 0.7, 6),
    ("Anemia", "Blood and lymphatic system disorders", (40, 45, 15, 0), 0.03, 0.5, 4),
    ("White blood cell decreased", "Investigations", (40, 45, 15, 0), 0.0, 0.5, 4),
    ("Alanine aminotransferase increased", "Investigations", (70, 25, 5, 0), 0.0, 0.4, 4),
    ("Hyperglycemia", "Metabolism and nutrition disorders", (50, 40, 10, 0), 0.02, 0.8, 4),
    ("Insomnia", "Psychiatric disorders", (70, 30, 0, 0), 0.0, 0.8, 4),
    ("Arthralgia", "Musculoskeletal and connective tissue disorders", (60, 38, 2, 0), 0.0, 0.3, 5),
    ("Rash maculo-papular", "Skin and subcutaneous tissue disorders", (60, 35, 5, 0), 0.0, 0.3, 4),
    ("Acute kidney injury", "Renal and urinary disorders", (0, 40, 50, 10), 0.7, 0.2, 1),
    ("Thromboembolic event", "Vascular disorders", (0, 30, 60, 10), 0.8, 0.2, 1),
    ("Cushingoid", "Endocrine disorders", (70, 30, 0, 0), 0.0, 0.9, 3),
]
CAUSALITY = [("possibly_unrelated", 50), ("possible", 30), ("probable", 8), ("certain", 2), ("unassessable", 5),
             ("pending", 5)]
END_EVENTS = {  # discontinuation reason -> the AE behind it (protocol 2.5.3)
    "adverse_reaction": ("Anaphylaxis", "Immune system disorders", 3, "probable"),
    "severe_infection": ("Lung infection", "Infections and infestations", 3, "possible"),
}
DEATH_SOC = {"Sepsis": "Infections and infestations", "Intracranial hemorrhage": "Nervous system disorders",
             "Sudden death NOS": "General disorders and administration site conditions",
             "Myocardial infarction": "Cardiac disorders"}


def write_safety(ctx: Ctx, p: Person, course: Course) -> list[SaeObligation]:
    """The participant's AEs and SAE cases; returns the obligations whose alerts are still to write
    (they need the obligations' database ids, see write_alerts)."""
    rng, month0 = p.rng, p.month0
    last = min(ctx.last_day, course.end[0]) if course.end else ctx.last_day
    span = max(1, (last - month0).days)
    events = []
    for _ in range(rng.poisson(1.5 + min(span, 1800) / 1800)):
        early = rng.chance(0.6)
        onset = month0 + timedelta(days=rng.randrange(min(span, 182) if early else span))
        term, soc, grades, serious, expected, _w = rng.choices(TERMS, [t[5] for t in TERMS])[0]
        grade = rng.choices((1, 2, 3, 4), grades)[0]
        events.append(dict(term=term, soc=soc, grade=grade, onset_date=onset,
                           serious=grade >= 3 and rng.chance(serious), expected=rng.chance(expected),
                           causality=rng.pick(CAUSALITY)))
    for i in course.infusions:
        if i.infusion_reaction:
            events.append(dict(term="Infusion related reaction", soc="Injury, poisoning and procedural complications",
                               grade=rng.choice([1, 2]), onset_date=i.started_at.astimezone(ctx.zone).date(),
                               serious=False, expected=True, causality="probable", action="interrupted"))
    if course.end and course.end[1] in END_EVENTS:
        term, soc, grade, causality = END_EVENTS[course.end[1]]
        events.append(dict(term=term, soc=soc, grade=grade, serious=True, expected=False, causality=causality,
                           onset_date=max(month0, course.end[0] - timedelta(days=rng.randint(0, 5)))))
    if course.end and course.end[1] == "death":
        cause = course.death_cause
        events.append(dict(term=cause, soc=DEATH_SOC[cause], grade=5, serious=True, expected=False,
                           causality="possibly_unrelated", death=True, end_date=course.end[0],
                           onset_date=max(month0, course.end[0] - timedelta(days=rng.randint(0, 6)))))
    pending = []
    for e in events:
        pending += _event(ctx, p, course, e)
    return pending


def _event(ctx: Ctx, p: Person, course: Course, e: dict) -> list[SaeObligation]:
    rng, s, w = p.rng, p.staff, ctx.writer
    onset, grade = e["onset_date"], e["grade"]
    end = e.get("end_date")
    if end is None and grade < 5:
        end = onset + timedelta(days=rng.randint(2, 30 if grade < 3 else 60))
        end = end if end <= ctx.last_day else None
    if grade == 5:
        outcome = "fatal"
    elif end:
        outcome = rng.pick([("recovered", 92), ("sequelae", 3), ("recovering", 5)])
    else:
        outcome = rng.pick([("recovering", 70), ("not_recovered", 30)])
    causality = e["causality"]
    if causality == "pending" and onset < ctx.today - timedelta(days=30):
        causality = "possibly_unrelated"  # assessed by now
    m6 = course.by_code("m6").day
    action = e.get("action") or ("not_applicable" if m6 and onset > m6 else "none")
    ae = AdverseEvent(id=rng.uuid(), participant=p.participant, term=e["term"], soc=e["soc"], onset_date=onset,
                      end_date=end, grade=grade, death=e.get("death", False), causality=causality,
                      expected=e["expected"], action=action, outcome=outcome, reported_by=s.clinician,
                      hospitalisation=e["serious"] and grade < 5, life_threatening=e["serious"] and grade == 4,
                      important_medical_event=e["serious"] and e["term"] == "Anaphylaxis")
    ae.in_collection_window = deadlines.in_collection_window(onset, p.month0, grade, ae.death)
    if not ae.is_serious:
        w.add(ae, at=ctx.entered(rng, onset, max_days=14, not_before=p.randomized_at), user=s.clinician)
        return []
    aware = min(ctx.now - timedelta(hours=2), ctx.office_time(rng, onset + timedelta(days=rng.randint(0, 2)), 8, 20))
    aware = max(aware, ctx.at(onset, 0, 5))
    created = min(ctx.now - timedelta(minutes=30), aware + timedelta(minutes=rng.randint(30, 600)))
    w.add(ae, at=created, user=s.clinician)
    narrative = (f"{e['term']} (CTCAE grade {grade}) from {onset}; "
                 + ("fatal." if grade == 5 else "admitted for treatment.") + " Investigator informed the same day.")
    case = w.add(SaeCase(id=rng.uuid(), adverse_event=ae, participant=p.participant, aware_at=aware,
                         narrative=narrative), at=created, user=s.clinician)
    w.add(SaeReport(id=rng.uuid(), case=case, participant=p.participant, kind=SaeReport.Kind.INITIAL, number=1,
                    reported_at=created, content=narrative, reporter=s.clinician), at=created, user=s.clinician)
    if aware < ctx.now - timedelta(days=20) and rng.chance(0.5):
        at = aware + timedelta(days=rng.randint(5, 20))
        w.add(SaeReport(id=rng.uuid(), case=case, participant=p.participant, kind=SaeReport.Kind.FOLLOW_UP,
                        number=2, reported_at=at, content="Follow-up: discharged; event resolving.",
                        reporter=s.clinician), at=at, user=s.clinician)
    return [_obligation(ctx, p, case, policy, created) for policy in ctx.policies]


def _obligation(ctx: Ctx, p: Person, case: SaeCase, policy, created) -> SaeObligation:
    rng, s = p.rng, p.staff
    due, remind = deadlines.obligation_times(case.aware_at, policy.hours, policy.remind_before_hours)
    ob = SaeObligation(case=case, policy=policy, due_at=due, remind_at=remind)
    ctx.writer.add(ob, at=created, user=s.clinician)
    late = rng.chance(0.05)
    if policy.hours <= 24:
        met = created + timedelta(hours=rng.uniform(25, 60) if late else rng.uniform(0.2, 20))
    else:
        met = created + timedelta(days=rng.uniform(16, 25) if late else rng.uniform(3, 14))
    recent = case.aware_at > ctx.now - timedelta(days=120)
    if met < ctx.now and not (recent and policy.hours > 24 and rng.chance(0.3)):  # some still open
        ob.met_at, ob.met_how = met, rng.choice(["e-mail", "fax", "safety portal"])
        ob.met_reference, ob.met_by = f"SAE-{p.staff.site.participant_prefix}-{rng.randint(1000, 9999)}", s.pi
        ctx.writer.change(ob, at=met, user=s.pi, reason="Obligation met")
    return ob


def write_alerts(ctx: Ctx, rng, obligations: list[SaeObligation]) -> None:
    """Every alert the sweep sent until each obligation was met (or until now), grouped as the sweep
    groups them (safety.services.alerts.plan: one per SAE, stage and person), delivered in-app and
    by e-mail (ObligationAlert is the exactly-once record)."""
    w = ctx.writer
    reached = []
    for ob in obligations:
        stop = ob.met_at or ctx.now
        created = ob.case.created_at + timedelta(seconds=30)
        reached += [(ob, stage) for stage in deadlines.stages_until(ob.remind_at, ob.due_at, stop)
                    if deadlines.stage_time(stage, ob.remind_at, ob.due_at, created) <= stop]
    for (case_id, group, key), (r, items) in alerts.plan(reached, ctx.people).items():
        ob, stage = items[0]
        sent = deadlines.stage_time(stage, ob.remind_at, ob.due_at, ob.case.created_at + timedelta(seconds=30))
        with translation.override(r.lang):
            subject, body = alerts.message(items)
        dedupe_key = f"sae:{case_id}:{group}:{r.user.pk if r.user else r.email}"
        n = Notification(id=rng.uuid(), kind="sae", dedupe_key=dedupe_key, recipient_user=r.user,
                         recipient_email=r.email or (r.user.email if r.user else ""), recipient_label=r.label,
                         subject=subject, body=body, link=reverse("sae_detail", args=[case_id]), created_at=sent)
        read = sent + timedelta(minutes=rng.randint(5, 4000))
        if r.user is not None:
            if read < ctx.now and rng.chance(0.85):
                n.read_at = read
            w.add(Delivery(notification=n, channel=Delivery.Channel.IN_APP, status=Delivery.Status.SENT,
                           sent_at=sent, attempts=1), at=sent)
        w.add(n, at=sent)
        if n.recipient_email:
            mailed = sent + timedelta(seconds=rng.randint(2, 50))
            d = w.add(Delivery(notification=n, channel=Delivery.Channel.EMAIL, status=Delivery.Status.SENT,
                               attempts=1, next_attempt_at=sent, claimed_at=mailed, sent_at=mailed,
                               message_id=message_id(dedupe_key)), at=sent)
            w.add(DeliveryAttempt(delivery=d, at=mailed, succeeded=True), at=mailed)
        for ob, stage in items:
            w.add(ObligationAlert(obligation=ob, stage=stage, recipient=key, notification=n, created_at=sent),
                  at=sent)


def open_cases(ctx: Ctx, rng, participants: list, count: int) -> list[SaeObligation]:
    """`count` SAE cases on `participants` (round robin) that the sites became aware of during the
    last day, every obligation still open: the load of a safety desk at its busiest (the obligation
    sweep's benchmark). Returns the obligations; their alerts so far are written by write_alerts."""
    w, out = ctx.writer, []
    for i in range(count):
        part = participants[i % len(participants)]
        s = ctx.staff[part.site_id]
        aware = ctx.now - timedelta(minutes=rng.randint(20, 20 * 60))
        onset = aware.astimezone(ctx.zone).date()
        ae = AdverseEvent(id=rng.uuid(), participant=part, term="Lung infection", soc="Infections and infestations",
                          onset_date=onset, grade=3, hospitalisation=True, causality="pending", expected=False,
                          action="none", outcome="not_recovered", reported_by=s.clinician)
        ae.in_collection_window = deadlines.in_collection_window(onset, part.randomization.month0_date,
                                                                 ae.grade, ae.death)
        created = aware + timedelta(minutes=rng.randint(5, 15))
        w.add(ae, at=created, user=s.clinician)
        narrative = f"Lung infection (CTCAE grade 3) from {onset}; admitted for treatment."
        case = w.add(SaeCase(id=rng.uuid(), adverse_event=ae, participant=part, aware_at=aware, narrative=narrative),
                     at=created, user=s.clinician)
        w.add(SaeReport(id=rng.uuid(), case=case, participant=part, kind=SaeReport.Kind.INITIAL, number=1,
                        reported_at=created, content=narrative, reporter=s.clinician), at=created, user=s.clinician)
        for policy in ctx.policies:
            due, remind = deadlines.obligation_times(aware, policy.hours, policy.remind_before_hours)
            out.append(w.add(SaeObligation(case=case, policy=policy, due_at=due, remind_at=remind),
                             at=created, user=s.clinician))
    return out
