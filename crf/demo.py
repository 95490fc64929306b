"""The living demo trial (docs/DAILY_USE.md, "The demo trial"): a trial in progress at the demo site,
made once through the real services, each step at the time it happened (the clock is set back for
it, so the audit trail, windows and deadlines read as they would in a real trial).

Ten people, every stage of the lifecycle (crf/lifecycle.py): two screen failures, one in screening,
one enrolled awaiting randomization, one randomized with the month-0 bag prepared, two on treatment
(one visit due this week, one overdue), one in follow-up, one treatment discontinued and one death;
forms at every workflow status, open queries, an open SAE whose clocks run (safety/demo.py) and a
missed visit. Screening numbers start with DEMO and every page carries the demo banner (DEBUG).
Six randomized of the 4 × 24 design: the demo never fills a stratum.
"""
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from edc.demo import at

DEMO_PREFIX = "DEMO-"  # screening numbers of the demo people
PASSWORD = "lupus-trial-demo"  # edc.management.commands.load_demo_trial.DEMO_PASSWORD
THERAPIES = ("gc_mpaa", "gc_cyc", "gc_belimumab", "gc_mpaa_cni")


class Demo:
    def __init__(self, site, users: dict, stdout):
        self.site, self.u, self.stdout = site, users, stdout
        self.zone = ZoneInfo(site.timezone)
        self.now = timezone.now()
        self.today = timezone.localdate(self.now, self.zone)

    def moment(self, day: date, hour: int = 10, minute: int = 0) -> datetime:
        """`day` at `hour` site time, never later than a minute ago."""
        return min(datetime.combine(day, time(hour, minute), tzinfo=self.zone), self.now - timedelta(minutes=1))

    def days_ago(self, n: int) -> date:
        return self.today - timedelta(days=n)

    # --- the enrolment path ----------------------------------------------------------------------

    def screen(self, n: int, day: date, initials: str, born: date, sex: str = "F"):
        from edc.services import consent, screening

        with at(self.moment(day, 9)):
            p = screening.screen_participant(user=self.u["clinician"], site=self.site,
                                             screening_number=f"{DEMO_PREFIX}{n:02d}", screening_date=day,
                                             initials=initials, date_of_birth=born, sex=sex)
        with at(self.moment(day, 9, 30)):
            consent.record_consent(p, user=self.u["clinician"], kind="main", form_version="1.0",
                                   obtained_by=self.u["clinician"], consented_at=self.moment(day, 9, 20))
        return p

    def assess(self, p, day: date, creatinine: str = "88", **overrides):
        from edc.services import eligibility

        screened = p.screening_date
        answers = dict(acr_criteria_met=6, biopsy_date=screened - timedelta(days=240), biopsy_class="IV",
                       biopsy_active=True, first_line_start_date=screened - timedelta(days=300),
                       first_line_response="none", inclusion_note="", severe_hepatic_dysfunction=False,
                       creatinine_value=Decimal(creatinine), creatinine_unit="umol/L", creatinine_date=screened)
        for k in (2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14):
            answers[f"exc{k}"], answers[f"exc{k}_note"] = False, ""
        answers.update(overrides)
        with at(self.moment(day, 11)):
            return eligibility.record_eligibility(p, user=self.u["clinician"], **answers)

    def enrol(self, p, day: date, therapy: str):
        from edc.services import enrolment

        with at(self.moment(day, 14)):
            return enrolment.enrol_participant(p, user=self.u["clinician"], prior_therapy=therapy)

    def randomize(self, p, day: date):
        from randomization.services.randomize import randomize

        with at(self.moment(day, 14, 30)):
            randomize(p, user=self.u["clinician"])
        p.refresh_from_db()
        return p

    def randomized(self, n, month0: date, initials, born, therapy, sex="F"):
        p = self.screen(n, month0 - timedelta(days=12), initials, born, sex)
        self.assess(p, month0 - timedelta(days=5))
        self.enrol(p, month0, therapy)
        return self.randomize(p, month0)

    # --- pharmacy, visits, forms -----------------------------------------------------------------

    def bag(self, p, infusion: str, day: date, weight: str = "58.0"):
        from edc.clinical.dosing import msc_total_cells
        from randomization.blinding import arm_code_for
        from randomization.models import Arm
        from randomization.services.pharmacy import record_bag

        # the pharmacist is unblinded (protocol 2.8); the arm comes through the one gate
        msc = arm_code_for(self.u["pharmacist"], p) == Arm.MSC
        # month 0 prepared just before the afternoon infusion; month 6 in the late morning: the infusion at
        # 15:30 falls inside the bag's shelf life (randomization/services/bag_rules.py)
        moment = self.moment(day, 15) if infusion == "m0" else self.moment(day, 11)
        with at(moment + timedelta(minutes=5)):
            return record_bag(p, user=self.u["pharmacist"], infusion=infusion, body_weight_kg=Decimal(weight),
                              product_lot=f"UCMSC-{day:%y%m}-{p.enrolment_number:02d}",
                              cell_count=round(msc_total_cells(float(weight))) if msc else None,
                              viability_pct=Decimal("93.5") if msc else None, prepared_at=moment,
                              **self.second_pharmacist())

    def second_pharmacist(self) -> dict:
        """pharmacist2 checks the bag with their own credentials (the four-eyes check): the published demo
        password and the code their demo authenticator shows at the demo's moment. The demo replays past
        moments, so the device's replay guard is rewound first (demo data only, DEBUG only)."""
        import time as clock

        from django_otp.oath import TOTP

        from edc.management.commands.load_demo_trial import DEMO_PASSWORD
        from edc.services.two_factor import confirmed_device

        checker = self.u["pharmacist2"]
        device = confirmed_device(checker)
        otp = ""
        if device is not None:
            device.last_t = -1
            device.save(update_fields=["last_t"])
            totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
            totp.time = clock.time()
            otp = f"{totp.token():0{device.digits}d}"
        return {"checker_username": checker.username, "checker_password": DEMO_PASSWORD, "checker_otp": otp}

    def visit(self, p, code: str):
        return p.visits.get(code=code)

    def attend(self, p, code: str, shift: int = 0):
        """The visit took place on its target day (+ `shift` days), recorded by the coordinator."""
        from crf.services.visits import record_visit_date

        v = self.visit(p, code)
        day = v.target_date + timedelta(days=shift)
        with at(self.moment(day, 16)):
            record_visit_date(v, user=self.u["coordinator"], visit_date=day)
        v.refresh_from_db()
        return v

    def form(self, key: str, v, *, in_progress: bool = False, **values):
        from crf import registry
        from crf.services.entry import save_crf

        crf_type = registry.get(key)
        obj = crf_type.model(participant=v.participant, visit=v, **values)
        if in_progress:
            obj.status = "in_progress"
        with at(self.moment(v.visit_date or v.target_date, 17)):
            save_crf(crf_type, obj, visit=v, user=self.u["clinician"], acknowledge=True)
        return obj

    def vitals(self, v, weight="58.0", sbp=124, dbp=78, **kw):
        return self.form("vitals", v, measured_on=v.visit_date, systolic_bp=sbp, diastolic_bp=dbp, heart_rate=76,
                         temperature_c=Decimal("36.6"), weight_kg=Decimal(weight), height_cm=Decimal("160.0"), **kw)

    def labs(self, v, upcr="2.100", creatinine="92", albumin="31", **kw):
        """An active lupus nephritis panel: nephrotic-range proteinuria improving over the months."""
        return self.form("labs", v, sample_date=v.visit_date, upcr_value=Decimal(upcr), upcr_unit="g/g",
                         urine_protein_24h_g=None, creatinine_value=Decimal(creatinine), creatinine_unit="umol/L",
                         albumin_g_l=Decimal(albumin), c3_g_l=Decimal("0.68"), c4_g_l=Decimal("0.12"),
                         anti_dsdna_iu_ml=Decimal("85"), urine_rbc_hpf=Decimal("12"), urine_wbc_hpf=Decimal("4"),
                         urinary_casts="none", haemoglobin_g_l=Decimal("112"), wbc_10e9_l=Decimal("5.4"),
                         platelets_10e9_l=Decimal("186"), alt_u_l=Decimal("24"), ast_u_l=Decimal("27"), **kw)

    def infusion(self, p, code: str):
        v = self.visit(p, code)
        start = self.moment(v.visit_date, 15, 30)
        return self.form("infusion", v, bag_blind_code=p.randomization.blind_code, started_at=start,
                         ended_at=start + timedelta(minutes=45), volume_ml=100, infusion_reaction=False,
                         reaction_description="")

    def baseline(self, p, weight="58.0"):
        """Month 0: randomized, bag prepared, infused, vitals and labs entered."""
        v = self.attend(p, "m0")
        self.bag(p, "m0", v.visit_date, weight)
        self.infusion(p, "m0")
        self.vitals(v, weight)
        self.labs(v, upcr="2.800", albumin="28")
        return v

    def follow(self, p, codes, upcrs, weight="58.0"):
        for code, upcr in zip(codes, upcrs, strict=True):
            v = self.attend(p, code)
            self.vitals(v, weight)
            self.labs(v, upcr=upcr, albumin="33")

    # --- review --------------------------------------------------------------------------------

    def verify(self, obj, day: date):
        from crf.services import review

        with at(self.moment(day, 10)):
            review.verify(obj, user=self.u["monitor"])

    def sign_form(self, obj, key: str, day: date):
        from crf.models import Scope
        from crf.services import review

        with at(self.moment(day, 11)):
            review.sign(user=self.u["pi"], password=PASSWORD, participant=obj.participant, scope=Scope.CRF,
                        visit=obj.visit, obj=obj, crf_key=key)

    def lock_form(self, obj, key: str, day: date):
        from crf.models import Scope
        from crf.services import locks

        with at(self.moment(day, 12)):
            locks.lock(scope=Scope.CRF, user=self.u["datamanager"], participant=obj.participant, crf_key=key,
                       object_id=obj.pk, reason="Month-1 vitals cleaned and signed (demo)")

    def query(self, obj, key: str, field: str, text: str, day: date):
        from crf.services import queries

        with at(self.moment(day, 15)):
            return queries.raise_query(obj, crf_key=key, user=self.u["monitor"], field_name=field, text=text)

    def log_form(self, key: str, p, day: date, **values):
        from crf import registry
        from crf.services.entry import save_crf

        crf_type = registry.get(key)
        obj = crf_type.model(participant=p, **values)
        with at(self.moment(day, 17)):
            save_crf(crf_type, obj, visit=None, user=self.u["clinician"], acknowledge=True)
        return obj


def load_demo(stdout) -> None:
    """Make the demo trial once: nothing happens when the demo site has anyone screened already."""
    from edc.models import Site, User

    site = Site.objects.filter(code="plagh").first()
    names = ("clinician", "coordinator", "pi", "monitor", "pharmacist", "pharmacist2", "datamanager")
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    if site is None or len(users) < len(names) or site.participants.exists():
        return
    from randomization.models import AllocationList
    if not AllocationList.objects.filter(active=True).exists():
        return
    from django.utils import translation

    with translation.override("en"):  # reasons and texts the services store, as an English-speaking site would
        build(Demo(site, users, stdout))
    stdout.write(f"Demo trial in progress: {site.participants.count()} people at {site.name}.")


def build(d: Demo) -> None:
    ago = d.days_ago
    # Screen failures: eGFR at or below 45 (exclusion 5); declined consent (exclusion 1).
    p = d.screen(1, ago(70), "LXY", date(1979, 3, 2))
    d.assess(p, ago(68), creatinine="168")
    p = d.screen(2, ago(41), "ZHQ", date(1990, 8, 14))
    from edc.services.screening import record_screen_failure
    with at(d.moment(ago(40), 10)):
        record_screen_failure(p, user=d.u["clinician"], reason_code="exc1",
                              note="Declined after reading the consent form")
    # In screening: consented today, eligibility still to assess.
    d.screen(3, ago(0), "WJ", date(1996, 1, 25))
    # Enrolled, awaiting randomization.
    p = d.screen(4, ago(6), "CMY", date(1987, 11, 9))
    d.assess(p, ago(2))
    d.enrol(p, ago(1), THERAPIES[0])
    # Randomized this morning, the month-0 bag prepared and checked (the pharmacy worklist shows it).
    p = d.randomized(5, ago(0), "HXL", date(1992, 6, 30), THERAPIES[1])
    d.bag(p, "m0", ago(0), "61.5")
    # On treatment, month 2 due this week: forms verified, signed, in progress; a query open.
    p = d.randomized(6, ago(57), "SYF", date(1985, 4, 17), THERAPIES[2])
    d.baseline(p)  # SLEDAI-2K and BILAG of month 1 stay not started
    m1 = d.attend(p, "m1")
    vit = d.vitals(m1)
    lab = d.labs(m1, upcr="1.900", albumin="32")
    d.verify(vit, m1.visit_date + timedelta(days=3))
    d.verify(lab, m1.visit_date + timedelta(days=3))
    d.sign_form(vit, "vitals", m1.visit_date + timedelta(days=5))
    d.query(lab, "labs", "albumin_g_l", "Albumin 32 g/L: please confirm against the laboratory report.",
            m1.visit_date + timedelta(days=3))
    # On treatment, month 3 overdue; the open SAE is this participant's (safety/demo.py).
    p = d.randomized(7, ago(108), "GLN", date(1983, 9, 5), THERAPIES[3])
    d.baseline(p, "55.0")
    d.follow(p, ["m1", "m2"], ["2.300", "1.700"], "55.0")
    # In follow-up: both infusions given; month 4 missed; a locked form.
    p = d.randomized(8, ago(262), "MQ", date(1977, 12, 1), THERAPIES[0])
    d.baseline(p, "63.0")
    d.follow(p, ["m1", "m2", "m3"], ["2.200", "1.600", "1.200"], "63.0")
    from crf.services.visits import record_missed
    m4 = d.visit(p, "m4")
    with at(d.moment(m4.window_end + timedelta(days=1), 9)):
        record_missed(m4, user=d.u["coordinator"], reason="Travelling out of Beijing; seen at the local hospital")
    d.attend(p, "m5")
    m6 = d.attend(p, "m6")
    d.bag(p, "m6", m6.visit_date, "63.0")
    d.infusion(p, "m6")
    labs6 = d.labs(m6, upcr="0.600", albumin="36")
    d.form("vitals", m6, in_progress=True, measured_on=m6.visit_date, systolic_bp=118, diastolic_bp=76,
           heart_rate=70, temperature_c=Decimal("36.5"), weight_kg=Decimal("63.0"), height_cm=Decimal("160.0"))
    d.follow(p, ["m7", "m8"], ["0.500", "0.450"], "63.0")
    m1 = d.visit(p, "m1")
    from crf.models import VitalSigns
    vit1 = VitalSigns.objects.get(visit=m1)
    d.verify(vit1, m1.visit_date + timedelta(days=4))
    d.sign_form(vit1, "vitals", m1.visit_date + timedelta(days=6))
    d.lock_form(vit1, "vitals", m1.visit_date + timedelta(days=8))
    d.query(labs6, "labs", "upcr_value", "UPCR 0.600 g/g: was the sample a first-morning void?",
            m6.visit_date + timedelta(days=4))
    # Treatment discontinued after a severe infection (protocol 2.5.3).
    p = d.randomized(9, ago(150), "YBB", date(1994, 2, 22), THERAPIES[1])
    d.baseline(p, "52.0")
    d.follow(p, ["m1", "m2", "m3", "m4"], ["2.500", "2.400", "2.600", "2.700"], "52.0")
    d.log_form("discontinuation", p, ago(25), date=ago(25), reason="severe_infection",
               details="Pneumonia requiring admission; the second infusion will not be given.")
    # Died: cardiac arrest at home, between months 4 and 5.
    p = d.randomized(10, ago(190), "DKW", date(1968, 7, 8), THERAPIES[2], sex="M")
    d.baseline(p, "70.0")
    d.follow(p, ["m1", "m2", "m3", "m4"], ["3.100", "2.900", "2.800", "3.000"], "70.0")
    d.log_form("death", p, ago(46), date=ago(47), cause="Sudden cardiac arrest at home",
               relatedness="Unlikely related: long-standing hypertensive heart disease", autopsy=False)
