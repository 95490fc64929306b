"""The synthetic trial generator: a small trial is consistent with the real rules — one
randomization each, the visit schedule, every derived value equal to what the forms' own code
computes — reproducible from its seed, refused on a database with participants, and the pages and
the export work on it."""
import hashlib
import zipfile
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import models, transaction
from django.urls import reverse

from crf import registry
from crf.models import BilagRenal, LabPanel, RenalResponse, SledaiAssessment, Visit
from crf.schedule import BY_CODE, SCHEDULE
from edc.clinical.dates import age_in_years
from edc.clinical.egfr import egfr_ckd_epi_2021
from edc.clinical.eligibility import EligibilityInput, assess_eligibility
from edc.clinical.renal_response import renal_response
from edc.clinical.units import creatinine_to_mg_dl
from edc.models import EligibilityAssessment, Participant, User
from exports.datasets import all_datasets
from exports.writers import write_zip
from randomization.models import AllocationRow, Randomization
from safety.models import SaeObligation
from synthetic.trial import generate

pytestmark = pytest.mark.django_db
N = 12


@pytest.fixture
def trial():
    return generate(participants=N, seed=5)


def test_every_generated_value_is_inside_the_plausibility_tables_hard_ranges(trial):
    """The generator bypasses the forms (bulk writes): its values must still be ones the forms accept."""
    from edc.services import plausibility

    refused = []
    for key in plausibility.FIELDS:
        model = EligibilityAssessment if key == "eligibility" else (
            apps.get_model("randomization", "BagPreparation") if key == "bag" else registry.get(key).model)
        for row in model.objects.all():
            for name, rule in plausibility.FIELDS[key].items():
                unit = getattr(row, rule.unit_field) if rule.unit_field else None
                error, _warning = plausibility.check_value(key, name, getattr(row, name), unit)
                if error:
                    refused.append((key, name, getattr(row, name), unit))
    assert refused == []


def test_it_makes_n_randomized_and_a_screen_failure_for_every_four(trial):
    assert Participant.objects.filter(status="enrolled").count() == N
    assert Participant.objects.filter(status="screen_failed").count() == N // 4  # 20 % of screened
    for p in Participant.objects.filter(status="screen_failed"):
        assert p.screen_failure_reasons and p.participant_code is None


def test_every_participant_is_randomized_exactly_once_from_the_list(trial):
    randomized = list(Randomization.objects.select_related("row__stratum", "participant"))
    assert len(randomized) == N
    assert len({r.participant_id for r in randomized}) == len({r.row_id for r in randomized}) == N
    for r in randomized:
        assert r.blind_code == r.row.blind_code and r.row.used_at == r.randomized_at
        assert r.row.stratum.prior_therapy == r.participant.prior_therapy
    assert AllocationRow.objects.filter(used_at__isnull=False).count() == N
    # Within a stratum rows were taken lowest first, in randomization order (exactly-once rule).
    for stratum in {r.row.stratum for r in randomized}:
        taken = sorted((r for r in randomized if r.row.stratum == stratum), key=lambda r: r.randomized_at)
        unused = AllocationRow.objects.filter(stratum=stratum, used_at__isnull=True).order_by("sequence")
        sequences = [r.row.sequence for r in taken]
        assert sequences == sorted(sequences) and (not unused or unused[0].sequence > sequences[-1])


def test_visits_follow_the_schedule_and_carry_forms_only_when_done(trial):
    scheduled = {t.key for t in registry.ordered() if not t.log}
    for r in Randomization.objects.all():
        visits = list(Visit.objects.filter(participant_id=r.participant_id).order_by("month"))
        assert [v.code for v in visits] == [d.code for d in SCHEDULE]
        for v in visits:
            d = BY_CODE[v.code]
            assert (v.target_date, (v.window_start, v.window_end)) == (d.target(r.month0_date), d.window(r.month0_date))
            forms = {t.key for t in registry.ordered() if t.key in scheduled
                     and t.model.objects.filter(visit=v).exists()}
            if v.visit_date is None:
                assert not forms, f"{v} has forms but no visit date"
            else:
                assert "labs" in forms and forms <= set(d.crfs)
                assert v.window_start <= v.visit_date <= v.window_end
            assert not (v.not_applicable and v.visit_date)
    assert Visit.objects.filter(visit_date__isnull=False).count() > N * 3


def _q(value: float, places: str) -> Decimal:
    return Decimal(str(value)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def test_egfr_eligibility_and_responses_match_the_calculators(trial):
    for lab in LabPanel.objects.select_related("participant"):
        p = lab.participant
        egfr = egfr_ckd_epi_2021(creatinine_to_mg_dl(lab.creatinine_value, lab.creatinine_unit),
                                 age_in_years(p.date_of_birth, lab.sample_date), p.sex)
        assert lab.egfr == _q(egfr, "0.1")
    for a in EligibilityAssessment.objects.select_related("participant"):
        p = a.participant
        verdict = assess_eligibility(EligibilityInput(
            date_of_birth=p.date_of_birth, sex=p.sex, screening_date=p.screening_date, main_consent_given=True,
            acr_criteria_met=a.acr_criteria_met, biopsy_class=a.biopsy_class, biopsy_active=a.biopsy_active,
            first_line_start_date=a.first_line_start_date, first_line_response=a.first_line_response,
            severe_hepatic_dysfunction=a.severe_hepatic_dysfunction, creatinine_value=float(a.creatinine_value),
            creatinine_unit=a.creatinine_unit, creatinine_date=a.creatinine_date,
            exclusions={n: getattr(a, n) for n in a.EXCLUSION_FIELDS}))
        assert (a.eligible, a.failed_criteria, a.egfr) == (verdict.eligible, list(verdict.failed),
                                                           Decimal(f"{verdict.egfr:.1f}"))
    responses = list(RenalResponse.objects.select_related("visit"))
    assert responses
    for r in responses:
        base = LabPanel.objects.get(participant_id=r.participant_id, visit__code="m0")
        now = LabPanel.objects.get(visit_id=r.visit_id)
        # the UPCR as entered, at full precision (crf.ecrf.response)
        result = renal_response(float(base.upcr_g_g_exact), float(base.egfr), float(now.upcr_g_g_exact),
                                float(now.egfr))
        assert r.category == str(result.category)


@pytest.mark.parametrize("key,fields", [
    ("response", ["category", "upcr_g_g", "egfr", "baseline_upcr_g_g", "baseline_egfr", "upcr_reduction_pct",
                  "egfr_ratio", "rules"]),
    ("bilag", ["grade", "features", "inputs"]),
    ("sledai", ["total", "lab_suggestions"]),
    ("labs", ["upcr_g_g", "creatinine_umol_l", "egfr"]),
])
def test_derived_values_are_what_the_forms_own_derive_computes(trial, key, fields):
    """Each stored form, derived again by its registry entry (reading the database as the page
    does), keeps every computed value."""
    crf_type = registry.get(key)
    rows = list(crf_type.model.objects.select_related("visit", "participant__site"))
    assert rows
    for obj in rows:
        stored = {f: getattr(obj, f) for f in fields}
        crf_type.derive(obj)
        assert {f: getattr(obj, f) for f in fields} == stored, f"{key} {obj.pk}"


def _canonical_digest(labels) -> str:
    """Every written row, with keys the database assigned (sequences move on after a rollback)
    replaced by what they name: a user by username, a site or stratum by code, a list row by
    stratum and sequence, an obligation by case and policy; other counters left out."""
    users = dict(User.objects.values_list("id", "username"))
    rows_by_id = {r.id: (r.stratum.code, r.sequence) for r in AllocationRow.objects.select_related("stratum")}
    names = {"edc.user": users, "randomization.allocationrow": rows_by_id}
    obligations = {o.id: f"{o.case_id}/{o.policy.code}" for o in SaeObligation.objects.select_related("policy")}

    def key_names(text: str) -> str:  # "sae-obligation:<obligation id>:<stage>:<user id>", "user:<id>"
        parts = text.split(":")
        if parts[0] == "sae-obligation":
            parts[1] = obligations[int(parts[1])]
        if parts[-1].isdigit():
            parts[-1] = users[int(parts[-1])]
        return ":".join(parts)
    texts = {("edc.notification", "dedupe_key"): key_names, ("safety.obligationalert", "recipient"): key_names,
             # a hash of the dedupe key (which holds a user id): the key itself is compared above
             ("edc.delivery", "message_id"): lambda text: "<message-id>" if text else ""}
    digest = hashlib.sha256()
    for label in sorted(labels):
        model = apps.get_model(label)
        columns, mappers = [], []
        parent = getattr(model, "instance_type", None)  # a history model: its "id" copies the parent's key
        for f in model._meta.concrete_fields:
            target = f.related_model if f.is_relation else None
            if isinstance(f, models.AutoField) or f.name == "history_id" or (
                    parent and f.name == "id" and isinstance(parent._meta.pk, models.AutoField)):
                continue
            if (model._meta.label_lower, f.name) in texts:
                columns.append(f.attname)
                mappers.append(texts[(model._meta.label_lower, f.name)])
                continue
            if target is not None and isinstance(target._meta.pk, models.AutoField):
                mapping = names.get(target._meta.label_lower)
                if mapping is None and hasattr(target, "code"):
                    mapping = dict(target.objects.values_list("id", "code"))
                if mapping is None:
                    continue
                columns.append(f.attname)
                mappers.append(mapping.get)
            else:
                columns.append(f.attname)
                mappers.append(None)
        values = [tuple(m(v) if m else v for m, v in zip(mappers, row, strict=True))
                  for row in model.objects.values_list(*columns)]
        digest.update(label.encode())
        for row in sorted(map(repr, values)):
            digest.update(row.encode())
    return digest.hexdigest()


def _generated_digest(seed: int) -> tuple[str, Counter]:
    point = transaction.savepoint()
    summary = generate(participants=N, seed=seed)
    digest = _canonical_digest(summary.counts)
    transaction.savepoint_rollback(point)
    return digest, summary.counts


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data(db):
    first, counts = _generated_digest(5)
    again, counts_again = _generated_digest(5)
    other, _ = _generated_digest(6)
    assert counts == counts_again and first == again
    assert other != first
    assert not Participant.objects.exists()  # each run was rolled back


def test_it_refuses_a_database_with_participants_unless_forced(trial):
    with pytest.raises(CommandError, match="already has participants"):
        call_command("synthesize_trial", "--participants", "3", "--seed", "1")
    assert Participant.objects.count() == N + N // 4
    call_command("synthesize_trial", "--participants", "3", "--seed", "5", "--force", stdout=open("/dev/null", "w"))
    assert Participant.objects.filter(status="enrolled").count() == N + 3
    assert Randomization.objects.count() == N + 3  # new keys and list rows, none reused


def test_the_command_prints_a_summary(db, capsys):
    call_command("synthesize_trial", "--participants", "4", "--seed", "2")
    out = capsys.readouterr().out
    assert "crf.LabPanel" in out and "rows in all" in out and "4 randomized of 5 screened" in out


def test_pages_render_for_the_generated_trial(trial, client_for):
    monitor = client_for(User.objects.get(username="syn-monitor"))
    p = Participant.objects.filter(status="enrolled").order_by("enrolled_at").first()
    for url in (reverse("home"), reverse("participant_list"), reverse("worklist"), reverse("query_list"),
                reverse("schedule_grid", args=[p.pk]), reverse("participant_detail", args=[p.pk]),
                reverse("participant_audit", args=[p.pk]), reverse("safety_dashboard")):
        assert monitor.get(url).status_code == 200, url
    statistician = client_for(User.objects.get(username="syn-statistician"))
    assert statistician.get(reverse("analysis_report")).status_code == 200
    audit = monitor.get(reverse("participant_audit", args=[p.pk])).content.decode()
    assert "Visit date recorded" in audit and "Schedule created at randomization" in audit


def test_the_blinded_export_succeeds_on_it(trial, tmp_path):
    path = tmp_path / "export.zip"
    sha, size = write_zip(all_datasets(), path)
    assert size > 0 and len(sha) == 64
    with zipfile.ZipFile(path) as z:
        labs = z.read("crf_labs.csv").decode("utf-8-sig").splitlines()
        assert len(labs) - 1 == LabPanel.objects.count()
        assert b"placebo" not in z.read("participants.csv")


def test_each_later_change_has_its_history_row(trial):
    visits = Visit.objects.filter(visit_date__isnull=False)
    assert Visit.history.filter(history_type="~", id__in=visits.values("id")).count() == visits.count()
    for model in (LabPanel, SledaiAssessment, BilagRenal):
        assert model.history.filter(history_type="+").count() == model.objects.count()
    first = Visit.history.filter(history_type="+").order_by("history_date").first()
    assert first.visit_date is None and first.history_user is not None
    later = Visit.history.filter(id=first.id, history_type="~").first()
    assert later is None or later.history_date > first.history_date


def test_the_first_participant_has_five_years_of_follow_up(trial):
    from edc.clinical.dates import add_months
    from synthetic.trial import site_today
    first = Randomization.objects.order_by("month0_date").first()
    assert first.month0_date <= add_months(site_today(), -60)
    m60 = Visit.objects.get(participant_id=first.participant_id, code="m60")
    assert m60.window_end < site_today()


def test_the_alert_history_is_what_the_sweep_would_have_sent(trial):
    """Every alert stage reached by the generated obligations was written, once per recipient: the
    real sweep, run at the moment the data end, finds nothing left to send; so does it right after
    SAE cases are added with open obligations (the benchmark's load)."""
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    from django.conf import settings

    from safety.services.obligations import sweep
    from synthetic.trial import add_open_saes, site_today

    data_end = datetime.combine(site_today(), time(0, 0), tzinfo=ZoneInfo(settings.EDC_DEFAULT_SITE_TIMEZONE))
    assert sweep(now=data_end) == 0
    from safety.models import ObligationPolicy
    assert add_open_saes(5, seed=3) == 5 * ObligationPolicy.objects.filter(active=True).count()
    assert SaeObligation.objects.filter(met_at__isnull=True).count() >= 20
    assert sweep() == 0


def test_every_generated_row_matches_its_latest_history_row(trial):
    """The detective control for writes around the application (edc.services.history_drift) finds
    nothing in a generated trial: the generator writes each row and its history together."""
    from edc.services.history_drift import find_drift

    assert find_drift() == []
