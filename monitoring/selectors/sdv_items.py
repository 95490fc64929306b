"""The items of the risk-based SDV plan, as one SQL relation (docs/CENTRAL_MONITORING.md "SDV plan").

Columns: participant_id, form_key, visit_id, visit_code, object_id, created_at, verified_at,
critical, in_plan. Critical data are verified 100 % (ICH E6(R3) 3.11.4: focus on what matters to
participant safety and the reliability of the result): consent, eligibility, randomization,
infusion, the primary-endpoint labs (months 0, 6 and 12: the response is computed from them against
month 0) and SAE cases. Every other saved, complete eCRF is in the plan when the deterministic sample
picks it (monitoring.sampling). A form changed since its verification counts as not verified.
"""
from crf import registry
from monitoring import lis, sampling
from monitoring.models import RecordKind

from .tables import tables

CRITICAL_FORMS = {"infusion": None, "labs": ("m0", "m6", "m12")}  # None: at every visit
CRITICAL_RECORDS = (RecordKind.MAIN_CONSENT, RecordKind.BIOSPECIMEN_CONSENT, RecordKind.ELIGIBILITY,
                    RecordKind.RANDOMIZATION, RecordKind.SAE)


def _critical_expr(key: str) -> str:
    if key not in CRITICAL_FORMS:
        return "FALSE"
    codes = CRITICAL_FORMS[key]
    if codes is None:
        return "TRUE"
    return "coalesce(v.code IN (" + ", ".join(f"'{c}'" for c in codes) + "), FALSE)"


def sdv_items_sql(plan) -> tuple[str, dict]:
    """(SQL of the relation, its parameters beyond the scope's)."""
    t = tables()
    params: dict = {"sampling_key": plan.sampling_key + ":",
                    "sampling_threshold": sampling.threshold(plan.sample_rate_pct)}
    parts = []
    lis_ids = lis.lis_sql() if plan.lis_counts_as_verified else None  # "Laboratory values from the LIS"
    for crf_type in registry.ordered():
        verified = "CASE WHEN f.changed_since_verification THEN NULL ELSE f.verified_at END"
        if crf_type.key == "labs" and lis_ids is not None:
            verified = f"coalesce({verified}, CASE WHEN f.id IN ({lis_ids}) THEN f.created_at END)"
        parts.append(
            f"SELECT f.participant_id, '{crf_type.key}'::text AS form_key, f.visit_id, v.code AS visit_code,"
            f" f.id AS object_id, f.created_at, {verified} AS verified_at,"
            f" {_critical_expr(crf_type.key)} AS critical"
            f" FROM {t['crf_' + crf_type.key]} f LEFT JOIN {t['visit']} v ON v.id = f.visit_id"
            f" WHERE f.status = 'complete'")
    records = {
        RecordKind.MAIN_CONSENT: (t["consent"], "x.kind = 'main'"),
        RecordKind.BIOSPECIMEN_CONSENT: (t["consent"], "x.kind = 'biospecimen'"),
        RecordKind.ELIGIBILITY: (t["eligibility"], "TRUE"),
        RecordKind.RANDOMIZATION: (t["randomization"], "TRUE"),
        RecordKind.SAE: (t["sae"], "TRUE"),
    }
    for kind, (table, condition) in records.items():
        parts.append(
            f"SELECT x.participant_id, '{kind.value}'::text, NULL::uuid, NULL::text, x.id, x.created_at,"
            f" rv.verified_at, TRUE FROM {table} x LEFT JOIN {t['record_verification']} rv"
            f" ON rv.kind = '{kind.value}' AND rv.object_id = x.id WHERE {condition}")
    sample = sampling.sql_condition("u.object_id")
    records = ", ".join(f"'{k.value}'" for k in CRITICAL_RECORDS)
    sql = (f"SELECT u.*, (u.critical OR (u.form_key NOT IN ({records}) AND {sample})) AS in_plan FROM ("
           + " UNION ALL ".join(parts) + ") u")
    return sql, params
