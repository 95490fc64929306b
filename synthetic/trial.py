"""Generate a whole synthetic trial: N randomized participants at K sites plus the screen
failures, their visits, forms, safety data and queries, in one transaction (all or nothing)."""
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as clock
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from crf.services.reference_ranges import ensure_reference_ranges, reference_ranges
from edc.models import Participant, Site
from safety.models import ObligationPolicy
from safety.services.alerts import people as alert_recipients
from safety.services.obligations import ensure_policies

from . import course as courses
from . import crfs, enrolment, logs, people, queries, safety
from .bulk import Writer, frozen_clock
from .context import Ctx
from .rng import rng_for

DESIGN_CAPACITY = 24  # per stratum when the strata are not made yet (randomization.services.strata)
CHUNK = 250  # participants written per round of bulk inserts (memory stays flat)


class Refused(Exception):
    pass


@dataclass
class Summary:
    participants: int
    screened: int
    sites: int
    seconds: float
    counts: Counter


def site_today() -> date:
    return timezone.localdate(timezone=ZoneInfo(settings.EDC_DEFAULT_SITE_TIMEZONE))


def default_sites(participants: int) -> int:
    return 1 if participants <= 96 else 20


def generate(*, participants: int, seed: int, sites: int | None = None, force: bool = False, pending: int = 0,
             today: date | None = None, progress=None, beyond_design: bool = False) -> Summary:
    """Write the trial. Refuses a database that already has participants unless `force` (then the
    new participants are added next to them). `today` pins the day the data end (default: today
    at the sites); the data stop at its start, so the same seed and size give the same rows."""
    if participants < 1:
        raise ValueError("at least one participant")
    existing = Participant.objects.count()
    if existing and not force:
        raise Refused("This database already has participants; use --force to add synthetic ones anyway.")
    zone = ZoneInfo(settings.EDC_DEFAULT_SITE_TIMEZONE)
    real_today = site_today()
    today = today or real_today
    if today > real_today:
        raise Refused("--today cannot be in the future.")
    started = time.monotonic()
    ctx = Ctx(seed=seed, today=today, now=datetime.combine(today, clock(0, 0), tzinfo=zone), zone=zone,
              writer=Writer(), salt=f"+{existing}" if existing else "")
    ctx.uuid_rng = rng_for(seed, "keys" + ctx.salt)
    ctx.progress = progress
    ctx.beyond_design = beyond_design
    with frozen_clock(), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # checked per insert: no deferred queue
        return _generate(ctx, participants, pending, sites, started)


def _generate(ctx: Ctx, participants: int, pending: int, sites: int | None, started: float) -> Summary:
    seed = ctx.seed
    site_list = people.ensure_sites(sites or default_sites(participants))
    people.ensure_staff(ctx, site_list, rng_for(seed, "staff" + ctx.salt))
    ensure_reference_ranges()
    ctx.ranges = reference_ranges()
    ensure_policies()
    ctx.policies = list(ObligationPolicy.objects.filter(active=True).order_by("hours", "code"))
    ctx.people = alert_recipients()
    persons = enrolment.plan(ctx, participants, pending, [ctx.staff[s.pk] for s in site_list])
    needed = Counter(enrolment.STRATUM_OF[p.prior_therapy] for p in persons if p.kind != "failed")
    if not ctx.beyond_design:
        check_design(needed)
    enrolment.allocate(persons, people.allocation_rows(ctx, needed, seed))
    ctx.writer.flush()
    people.mark_used_rows(persons)
    for start in range(0, len(persons), CHUNK):
        _chunk(ctx, persons[start:start + CHUNK], f"{start}{ctx.salt}")
        if ctx.progress:
            ctx.progress(min(start + CHUNK, len(persons)), len(persons))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics (users and sites too): the plans of a database in use
    return Summary(participants=participants, screened=sum(p.kind != "pending" for p in persons),
                   sites=len(site_list), seconds=time.monotonic() - started, counts=ctx.writer.counts)


def check_design(needed: Counter) -> None:
    """Refuse to push a stratum past its capacity (protocol 2.7: four strata of 24): those already
    randomized or waiting for randomization, plus the new ones (docs/DAILY_USE.md, "Synthetic data
    beside the demo"). Load tests beyond the design say so (--beyond-design)."""
    from randomization.models import Stratum

    taken = Counter(dict(Participant.objects.filter(status="enrolled").exclude(prior_therapy="")
                         .values_list("prior_therapy").annotate(n=Count("id"))))
    capacity = {s.code: s.capacity for s in Stratum.objects.all()}
    over = []
    for therapy, code in enrolment.STRATUM_OF.items():
        limit = capacity.get(code, DESIGN_CAPACITY)
        if taken.get(therapy, 0) + needed.get(code, 0) > limit:
            over.append(f"{code}: {taken.get(therapy, 0)} + {needed.get(code, 0)} > {limit}")
    if over:
        raise Refused("This would push a stratum past its capacity, breaking the trial's design: "
                      + "; ".join(over) + ". Ask for fewer participants, or pass --beyond-design for a "
                      "load test that ignores the design.")


def _chunk(ctx: Ctx, persons, start: int) -> None:
    obligations = []
    for p in persons:
        enrolment.write(ctx, p)
        if p.randomization is None:
            continue
        course = courses.plan(ctx, p)
        crfs.write_visits(ctx, p, course)
        saved = crfs.write_forms(ctx, p, course)
        saved += logs.write_logs(ctx, p, course)
        obligations += safety.write_safety(ctx, p, course)
        queries.write_queries(ctx, p, saved)
    ctx.writer.flush()  # the obligations get their ids: alerts name them
    safety.write_alerts(ctx, rng_for(ctx.seed, "alerts", start), obligations)
    ctx.writer.flush()



def add_open_saes(count: int, seed: int) -> int:
    """Add `count` SAE cases aware within the last day, all their obligations open and the alerts
    the sweep has sent for them so far (e.g. 2,500 cases: 10,000 open obligations with the default
    policies). For load tests of the obligation sweep; returns the number of obligations."""
    zone = ZoneInfo(settings.EDC_DEFAULT_SITE_TIMEZONE)
    ctx = Ctx(seed=seed, today=site_today(), now=timezone.now(), zone=zone, writer=Writer(), salt="+saes")
    with frozen_clock(), transaction.atomic():
        sites = list(Site.objects.filter(participants__randomization__isnull=False).distinct().order_by("code"))
        people.ensure_staff(ctx, sites, rng_for(seed, "staff+saes"))
        ensure_policies()
        ctx.policies = list(ObligationPolicy.objects.filter(active=True).order_by("hours", "code"))
        ctx.people = alert_recipients()
        participants = list(Participant.objects.filter(randomization__isnull=False)
                            .select_related("site", "randomization").order_by("participant_code"))
        rng = rng_for(seed, "open-saes")
        obligations = safety.open_cases(ctx, rng, participants, count)
        ctx.writer.flush()
        safety.write_alerts(ctx, rng, obligations)
        ctx.writer.flush()
    return len(obligations)
