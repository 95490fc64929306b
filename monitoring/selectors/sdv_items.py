"""The items of the risk-based SDV plan, as one SQL relation (docs/CENTRAL_MONITORING.md "SDV plan").

Columns: participant_id, form_key, visit_id, object_id, created_at, verified_at, pending (not verified
now: verified_at IS NULL), critical, in_plan.
Critical data are verified 100 % (ICH E6(R3) 3.11.4: focus on what matters to participant safety and
the reliability of the result): consent, eligibility, randomization, infusion, the primary-endpoint
labs (months 0, 6 and 12: the response is computed from them against month 0) and SAE cases. Every
other saved, complete eCRF is in the plan when the deterministic sample picks it (monitoring.sampling).
A form changed since its verification counts as not verified.
"""
from crf import registry
from monitoring import draws, lis, sampling
from monitoring.models import RecordKind

from .tables import tables

CRITICAL_FORMS = {"infusion": None, "labs": ("m0", "m6", "m12")}  # None: at every visit
CRITICAL_RECORDS = (RecordKind.MAIN_CONSENT, RecordKind.BIOSPECIMEN_CONSENT, RecordKind.ELIGIBILITY,
                    RecordKind.RANDOMIZATION, RecordKind.SAE)


def _critical(key: str, visit_table: str) -> tuple[str, str]:
    """(a join clause, the expression 'critical') for a form table aliased f."""
    if key not in CRITICAL_FORMS:
        return "", "FALSE"
    codes = CRITICAL_FORMS[key]
    if codes is None:
        return "", "TRUE"
    # joined to the few visits with these codes (hashed once), not to every visit
    listed = ", ".join(f"'{c}'" for c in codes)
    return (f" LEFT JOIN (SELECT id FROM {visit_table} WHERE code IN ({listed})) cv ON cv.id = f.visit_id",
            "(cv.id IS NOT NULL)")


def sdv_items_sql(plan) -> tuple[str, dict]:
    """(SQL of the relation, its parameters beyond the scope's). One scan of each form table; the
    keyed draw (monitoring.sampling) runs only for the forms that are not critical."""
    t = tables()
    params: dict = sampling.sql_params(plan.sampling_key, plan.sample_rate_pct)
    parts = []
    lis_ids = lis.lis_sql() if plan.lis_counts_as_verified else None  # "Laboratory values from the LIS"
    for crf_type in registry.ordered():
        # verified_at: when verified, NULL while not (never, or changed since); `pending` says the same
        # as a test of the columns themselves, which the planner can estimate (the worklist filters on it)
        verified = "CASE WHEN f.changed_since_verification THEN NULL ELSE f.verified_at END"
        pending = "(f.verified_at IS NULL OR f.changed_since_verification)"
        join, critical = _critical(crf_type.key, t["visit"])
        if crf_type.key == "labs" and lis_ids is not None:  # the LIS-sourced panels, selected once
            join += f" LEFT JOIN ({lis_ids}) lis ON lis.id = f.id"
            verified = f"coalesce({verified}, CASE WHEN lis.id IS NOT NULL THEN f.created_at END)"
            pending = f"({pending} AND lis.id IS NULL)"
        table = t["crf_" + crf_type.key]
        in_plan = "TRUE"
        if critical != "TRUE":  # the keyed draw (kept, or computed live) decides the others
            draw_join, sample = draws.sql(crf_type.key, table)
            join, in_plan = join + draw_join, f"({critical} OR {sample})"
        parts.append(
            f"SELECT f.participant_id, '{crf_type.key}'::text AS form_key, f.visit_id, f.id AS object_id,"
            f" f.created_at, {verified} AS verified_at, {pending} AS pending, {critical} AS critical,"
            f" {in_plan} AS in_plan FROM {table} f{join} WHERE f.status = 'complete'")
    records = {
        RecordKind.MAIN_CONSENT: (t["consent"], "x.kind = 'main'"),
        RecordKind.BIOSPECIMEN_CONSENT: (t["consent"], "x.kind = 'biospecimen'"),
        RecordKind.ELIGIBILITY: (t["eligibility"], "TRUE"),
        RecordKind.RANDOMIZATION: (t["randomization"], "TRUE"),
        RecordKind.SAE: (t["sae"], "TRUE"),
    }
    assert set(records) == set(CRITICAL_RECORDS)  # every record is critical: in the plan, never drawn
    for kind, (table, condition) in records.items():
        parts.append(
            f"SELECT x.participant_id, '{kind.value}'::text, NULL::uuid, x.id, x.created_at,"
            f" rv.verified_at, rv.verified_at IS NULL, TRUE, TRUE FROM {table} x"
            f" LEFT JOIN {t['record_verification']} rv ON rv.kind = '{kind.value}' AND rv.object_id = x.id"
            f" WHERE {condition}")
    return " UNION ALL ".join(parts), params
