"""The indicators recomputed in plain Python over the rows, read with the ORM one table at a time,
from the definitions in docs/CENTRAL_MONITORING.md — a second route to every number the page shows,
written without the SQL of monitoring.selectors."""
import statistics
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from crf import registry
from crf.models import Query, QueryMessage, Visit
from crf.models.conmeds import PROHIBITED_CATEGORIES
from edc.models import Consent, EligibilityAssessment
from monitoring import sampling
from monitoring.models import RecordVerification
from randomization.models import BagPreparation, Randomization
from safety.models import SaeCase, SaeObligation

SHELF = timedelta(hours=6)


class Trial:
    """Every row the indicators read, for the randomized participants of `site_ids`."""

    def __init__(self, site_ids):
        rands = Randomization.objects.select_related("participant").filter(participant__site_id__in=site_ids)
        self.site = {r.participant_id: r.participant.site_id for r in rands}
        self.month0 = {r.participant_id: r.month0_date for r in rands}
        mine = set(self.site)
        self.visits = {v.pk: v for v in Visit.objects.all() if v.participant_id in mine}
        self.queries = [q for q in Query.objects.all() if q.participant_id in mine]
        answers = defaultdict(list)
        for m in QueryMessage.objects.filter(kind="answered"):
            answers[m.query_id].append(m.at)
        self.first_answer = {k: min(v) for k, v in answers.items()}
        self.forms = {t.key: [f for f in t.model.objects.all() if f.participant_id in mine]
                      for t in registry.ordered()}
        self.consents = [c for c in Consent.objects.all() if c.participant_id in mine]
        self.eligibility = [e for e in EligibilityAssessment.objects.all() if e.participant_id in mine]
        self.randomizations = [r for r in rands]
        self.saes = [s for s in SaeCase.objects.all() if s.participant_id in mine]
        self.obligations = [o for o in SaeObligation.objects.select_related("case") if o.case.participant_id in mine]
        self.record_verified = {rv.object_id: rv.verified_at for rv in RecordVerification.objects.all()}
        self.bags = {(b.participant_id, b.infusion): b for b in BagPreparation.objects.all()}


def ratio(by_site: dict, items) -> dict:
    """items: (participant_id, num, den) -> {site: [num, den]} and None: trial."""
    out = defaultdict(lambda: [0.0, 0.0])
    for pid, num, den in items:
        for key in (by_site[pid], None):
            out[key][0] += float(num)
            out[key][1] += float(den)
    return dict(out)


def medians(by_site: dict, items) -> dict:
    values = defaultdict(list)
    for pid, value in items:
        values[by_site[pid]].append(value)
        values[None].append(value)
    return {k: [statistics.median(v), len(v)] for k, v in values.items()}


def sdv_items(tr: Trial, plan):
    """(participant, created_at, verified_at, critical, in_plan) for every planned or unplanned item."""
    out = []
    for t in registry.ordered():
        for f in tr.forms[t.key]:
            if f.status != "complete":
                continue
            code = tr.visits[f.visit_id].code if f.visit_id else None
            critical = t.key == "infusion" or (t.key == "labs" and code in ("m0", "m6", "m12"))
            verified = None if f.changed_since_verification else f.verified_at
            planned = critical or sampling.in_sample(plan.sampling_key, f.pk, plan.sample_rate_pct)
            out.append((f.participant_id, f.created_at, verified, critical, planned))
    records = tr.consents + tr.eligibility + tr.randomizations + tr.saes
    for r in records:
        out.append((r.participant_id, r.created_at, tr.record_verified.get(r.pk), True, True))
    return out


def expected(code: str, tr: Trial, plan, day, end, start) -> dict:
    s, m0 = tr.site, tr.month0
    if code in ("query_age_14", "query_age_30"):
        age = timedelta(days=14 if code == "query_age_14" else 30)
        return ratio(s, [(q.participant_id, q.raised_at < end - age, 1) for q in tr.queries
                         if q.raised_at < end and (q.closed_at is None or q.closed_at >= end)])
    if code == "query_answer_days":
        return medians(s, [(q.participant_id, (tr.first_answer[q.pk] - q.raised_at).total_seconds() / 86400)
                           for q in tr.queries if q.pk in tr.first_answer and start <= tr.first_answer[q.pk] < end])
    if code == "entry_lag_days":
        first = start  # the oldest window begins 13 months back; only window 0 is asked for here
        rows = []
        for t in registry.ordered():
            if t.log:
                continue
            for f in tr.forms[t.key]:
                v = tr.visits[f.visit_id]
                if f.status == "complete" and v.visit_date and start <= f.created_at < end and f.created_at >= first:
                    rows.append((f.participant_id, (timezone.localdate(f.created_at) - v.visit_date).days))
        return medians(s, rows)
    if code == "sdv_critical":
        return ratio(s, [(p, verified is not None and verified < end, 1)
                         for p, created, verified, critical, _ in sdv_items(tr, plan) if critical and created < end])
    if code == "sdv_backlog":
        return ratio(s, [(p, verified is None or verified >= end, 1) for p, created, verified, _, planned
                         in sdv_items(tr, plan) if planned and created < end - timedelta(days=30)])
    if code == "visit_out_of_window":
        return ratio(s, [(v.participant_id, not v.window_start <= v.visit_date <= v.window_end, 1)
                         for v in tr.visits.values() if v.visit_date and v.visit_date <= day])
    if code == "visit_missed":
        return ratio(s, [(v.participant_id, v.visit_date is None or v.visit_date > day, 1)
                         for v in tr.visits.values() if v.window_end < day and not v.not_applicable])
    if code == "endpoint_at_risk":
        labs = defaultdict(list)
        for lab in tr.forms["labs"]:
            labs[lab.visit_id].append(lab)
        return ratio(s, [(v.participant_id, not any(
            lab.created_at < end and v.window_start <= lab.sample_date <= v.window_end for lab in labs[v.pk]), 1)
            for v in tr.visits.values() if v.code in ("m6", "m12") and not v.not_applicable
            and v.window_end < day + timedelta(days=7)])
    if code == "sae_late":
        return ratio(s, [(o.case.participant_id, o.met_at > o.due_at, 1) for o in tr.obligations
                         if o.met_at and o.met_at < end])
    if code == "sae_overdue":
        return ratio(s, [(o.case.participant_id, o.met_at is None or o.met_at >= end, 1) for o in tr.obligations
                         if o.due_at < end])
    if code == "deviation_rate":
        rows = [(d.participant_id, 1, 0) for d in tr.forms["deviation"] if d.date <= day]
        rows += [(p, 0, (day - start0).days / 30.4375) for p, start0 in m0.items() if start0 <= day]
        return ratio(s, rows)
    if code == "prohibited_conmed":
        meds = defaultdict(list)
        for med in tr.forms["conmeds"]:
            meds[med.participant_id].append(med)
        return ratio(s, [(p, any(
            med.category in PROHIBITED_CATEGORIES and med.created_at < end and (med.start_date or m0[p]) <= day
            and (med.stop_date is None or med.stop_date >= m0[p]) for med in meds[p]), 1)
            for p in m0 if m0[p] <= day])
    if code == "prednisone_m6":
        doses = defaultdict(list)
        for dose in tr.forms["prednisone"]:
            doses[dose.participant_id].append(dose)
        rows = []
        for v in tr.visits.values():
            if v.code != "m6" or v.not_applicable:
                continue
            at = v.visit_date or v.target_date
            before = sorted((d for d in doses[v.participant_id] if d.start_date <= at), key=lambda d: d.start_date)
            if at <= day and before:
                rows.append((v.participant_id, before[-1].dose_mg_day >= Decimal(5), 1))
        return ratio(s, rows)
    if code.startswith("infusion_"):
        weights = {vs.visit_id: vs.weight_kg for vs in tr.forms["vitals"]}
        rows = []
        for i in tr.forms["infusion"]:
            v = tr.visits[i.visit_id]
            bag = tr.bags.get((i.participant_id, v.code))
            if i.created_at >= end:
                continue
            if code == "infusion_window":
                day_given = timezone.localdate(i.started_at)
                rows.append((i.participant_id, not v.window_start <= day_given <= v.window_end, 1))
            elif code == "infusion_dose" and bag and weights.get(i.visit_id):
                rows.append((i.participant_id, abs(bag.body_weight_kg / weights[i.visit_id] - 1) > Decimal("0.10"), 1))
            elif code == "infusion_shelf_life" and bag:
                rows.append((i.participant_id, i.started_at > bag.prepared_at + SHELF, 1))
        return ratio(s, rows)
    if code == "consent_version":
        current = {"main": plan.current_main_consent_version, "biospecimen": plan.current_biospecimen_consent_version}
        return ratio(s, [(c.participant_id, c.form_version != current[c.kind], 1) for c in tr.consents
                         if c.consented_at < end and current[c.kind]])
    if code == "biospecimen_consent":
        bio = {c.participant_id: c.consented_at for c in tr.consents if c.kind == "biospecimen"}
        return ratio(s, [(b.participant_id, b.participant_id not in bio or bio[b.participant_id] > b.collected_at, 1)
                         for b in tr.forms["biospecimen"] if b.collected_at < end])
    raise KeyError(code)

