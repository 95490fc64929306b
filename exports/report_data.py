"""The first analysis, gathered once for the HTML page and the PDF.

Before the datasets are unblinded every figure is pooled; after release they are split by arm
(docs/ARCHITECTURE.md rule 1). Tests are chosen as protocol 2.14 says (exports.stats)."""
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crf.models import Death, Discontinuation, LabPanel, RenalResponse, SledaiAssessment
from edc.clinical.dates import follow_up_months
from edc.clinical.relapse import renal_involvement_free_survival_event
from edc.criteria import CRITERIA
from edc.models import Participant, ParticipantStatus
from exports.analysis_sets import analysis_sets
from exports.services.release import arm_released
from exports.stats import cmh, compare_continuous, compare_proportions, describe
from exports.wocf import wocf
from randomization.blinding import released_arm
from safety.models import AdverseEvent

POOLED = "pooled"


@dataclass
class Report:
    released: bool
    groups: list[str]
    consort: dict
    baseline: list[tuple[str, dict, object]] = field(default_factory=list)  # (variable, group->text, comparison)
    response: list[tuple[int, dict, object, object]] = field(default_factory=list)  # (month, group->(n,N), test, cmh)
    survival: dict = field(default_factory=dict)  # "os"/"rifs" -> group -> (months, events)
    ae_by_grade: dict = field(default_factory=dict)  # group -> Counter(grade)
    sae_participants: dict = field(default_factory=dict)


def _group(p, released: bool) -> str:
    return released_arm(p.randomization, released=True) if released else POOLED


def gather(today: date | None = None) -> Report:
    today = today or timezone.localdate()
    released = arm_released()
    everyone = list(Participant.objects.select_related("randomization__row", "eligibility"))
    randomized = [p for p in everyone if hasattr(p, "randomization")]
    groups = ["msc", "placebo"] if released else [POOLED]
    ids = [p.pk for p in randomized]
    sets = analysis_sets(ids)
    stopped = set(Discontinuation.objects.filter(participant_id__in=ids).values_list("participant_id", flat=True))
    reasons = Counter(code for p in everyone if p.status == ParticipantStatus.SCREEN_FAILED
                      for code in p.screen_failure_reasons)
    by_group = {g: [p for p in randomized if _group(p, released) == g] for g in groups}
    consort = {
        "screened": len(everyone),
        "excluded": sum(1 for p in everyone if p.status == ParticipantStatus.SCREEN_FAILED),
        "exclusion_reasons": [(str(CRITERIA.get(c, c)), n) for c, n in reasons.most_common()],
        "enrolled": sum(1 for p in everyone if p.status == ParticipantStatus.ENROLLED),
        "randomized": len(randomized),
        "groups": {g: {"allocated": len(ps), "infused": sum(sets[p.pk].safety for p in ps),
                       "discontinued": sum(p.pk in stopped for p in ps), "fas": sum(sets[p.pk].fas for p in ps),
                       "pps": sum(sets[p.pk].pps for p in ps)} for g, ps in by_group.items()},
    }
    report = Report(released, groups, consort)
    _baseline(report, by_group)
    _response(report, by_group, sets)
    _survival(report, by_group, today)
    _adverse_events(report, by_group)
    return report


def _baseline(report: Report, by_group: dict) -> None:
    m0 = {lab.participant_id: lab for lab in LabPanel.objects.filter(visit__code="m0")}
    sledai = {s.participant_id: s.total for s in SledaiAssessment.objects.filter(visit__code="m0")}
    variables = [
        (_("Age (years)"), lambda p: getattr(getattr(p, "eligibility", None), "age_at_screening", None)),
        (_("eGFR (mL/min/1.73 m²)"), lambda p: getattr(m0.get(p.pk), "egfr", None)),
        (_("UPCR (g/g)"), lambda p: getattr(m0.get(p.pk), "upcr_g_g", None)),
        ("SLEDAI-2K", lambda p: sledai.get(p.pk)),
    ]
    for name, get in variables:
        values = {g: [get(p) for p in ps] for g, ps in by_group.items()}
        texts = {g: describe(v).text for g, v in values.items()}
        test = compare_continuous(*values.values()) if len(values) == 2 else None
        report.baseline.append((name, texts, test))


def _response(report: Report, by_group: dict, sets: dict) -> None:
    observed: dict = {}
    for pid, month, category in RenalResponse.objects.values_list("participant_id", "visit__month", "category"):
        observed.setdefault(pid, {})[month] = category
    for month in (6, 12):
        counts, strata = {}, {}
        for g, ps in by_group.items():
            fas = [p for p in ps if sets[p.pk].fas]
            responders = [p for p in fas if next(e for e in wocf(observed.get(p.pk, {})) if e.month == month).responder]
            counts[g] = (len(responders), len(fas))
            for p in fas:
                cell = strata.setdefault(p.prior_therapy, {}).setdefault(g, [0, 0])
                cell[0 if p in responders else 1] += 1
        test = cmh_test = None
        if len(counts) == 2:
            (a, n_a), (b, n_b) = counts.values()
            test = compare_proportions([[a, n_a - a], [b, n_b - b]])
            tables = [[s.get("msc", [0, 0]), s.get("placebo", [0, 0])] for s in strata.values()]
            cmh_test = cmh(tables)
        report.response.append((month, counts, test, cmh_test))


def _survival(report: Report, by_group: dict, today: date) -> None:
    deaths = dict(Death.objects.values_list("participant_id", "date"))
    egfrs: dict = {}
    for pid, day, egfr, code in LabPanel.objects.values_list("participant_id", "sample_date", "egfr", "visit__code"):
        egfrs.setdefault(pid, []).append((day, egfr, code))
    os_, rifs = {}, {}
    for g, ps in by_group.items():
        os_[g], rifs[g] = ([], []), ([], [])
        for p in ps:
            start = p.randomization.month0_date
            died = deaths.get(p.pk)
            os_[g][0].append(follow_up_months(start, died or today))
            os_[g][1].append(bool(died))
            labs = sorted(egfrs.get(p.pk, []))
            baseline = next((e for d, e, c in labs if c == "m0" and e), None)
            event = None
            if baseline:
                event = renal_involvement_free_survival_event(
                    randomization_date=start, baseline_egfr=float(baseline),
                    egfr_measurements=[(d, float(e)) for d, e, _ in labs if e and d >= start],
                    death_date=died, as_of=today)
            end = event.event_date if event else today
            rifs[g][0].append(follow_up_months(start, end))
            rifs[g][1].append(event is not None)
    report.survival = {"os": os_, "rifs": rifs}  # titles: exports.report_figures


def _adverse_events(report: Report, by_group: dict) -> None:
    group_of = {p.pk: g for g, ps in by_group.items() for p in ps}
    for ae in AdverseEvent.objects.filter(participant_id__in=group_of).only(
            "participant_id", "grade", "death", "life_threatening", "hospitalisation", "disability",
            "congenital_anomaly", "important_medical_event"):
        g = group_of[ae.participant_id]
        report.ae_by_grade.setdefault(g, Counter())[ae.grade] += 1
        if ae.is_serious:
            report.sae_participants.setdefault(g, set()).add(ae.participant_id)
