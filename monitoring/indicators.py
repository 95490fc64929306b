"""The key risk indicators: what each one counts, where the rule comes from, and how it is coloured
(docs/CENTRAL_MONITORING.md "Indicators" has the definitions in words, with their sources).

Each indicator is an SQL relation of *items* — one row per thing counted at each time point k —
with the columns site_id, participant_id, k, num, den, ref, obj, visit_id:
- a rate indicator shows 100 × Σnum / Σden (per 100 participant-months for deviations);
- a median indicator shows the median of num over its rows (den = 1).
The same items give the value per site and trial-wide (GROUPING SETS), the trend (k = 0 … 12, months
back from today) and the click-through list (k = 0, flagged rows). Nothing here reads the arm: no
indicator can differ by arm because none can see it (docs/ARCHITECTURE.md rule 1).
"""
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Indicator:
    code: str
    label: object
    group: object
    unit: str  # "pct", "days", "per100pm"
    link: str  # what a click-through row opens: query, form, visit, sae, participant
    source: str  # where the rule comes from (shown on the page)
    items: str  # SQL; may use {tables} names, the prelude's ts and pp, and %(…)s parameters
    median: bool = False
    higher_is_worse: bool = True

    @property
    def thresholds(self) -> tuple[float, float]:
        """(amber, red) from settings.MONITORING_THRESHOLDS (a trial setting, not code)."""
        return tuple(settings.MONITORING_THRESHOLDS[self.code])

    def colour(self, value: float | None) -> str:
        if value is None:
            return "none"
        amber, red = self.thresholds
        if self.higher_is_worse:
            return "red" if value >= red else "amber" if value >= amber else "green"
        return "red" if value <= red else "amber" if value <= amber else "green"


QUALITY, SAFETY, ENDPOINT, CONDUCT = (_("Data quality"), _("Safety reporting"), _("Primary endpoint"),
                                      _("Protocol conduct"))

GROUP_ORDER = (ENDPOINT, SAFETY, QUALITY, CONDUCT)

_QUERY_OPEN_AT = "FROM {query} q JOIN pp ON pp.id = q.participant_id CROSS JOIN ts " \
                 "WHERE q.raised_at < ts.t AND (q.closed_at IS NULL OR q.closed_at >= ts.t)"
_INFUSIONS = """FROM {crf_infusion} i JOIN pp ON pp.id = i.participant_id JOIN {visit} v ON v.id = i.visit_id
  LEFT JOIN {bag} b ON b.participant_id = i.participant_id AND b.infusion = v.code
  LEFT JOIN {crf_vitals} vs ON vs.visit_id = i.visit_id CROSS JOIN ts WHERE i.created_at < ts.t"""
_ITEM = "pp.site_id, pp.id AS participant_id, ts.k"

INDICATORS: tuple[Indicator, ...] = (
    Indicator("query_age_14", _("Unresolved queries older than 14 days"), QUALITY, "pct", "query",
              _("ICH E6(R3) 3.11.4, 3.16.1; protocol 2.9–2.10"),
              f"SELECT {_ITEM}, (q.raised_at < ts.t - interval '14 days')::int AS num, 1 AS den,"
              f" q.crf_key AS ref, q.id::text AS obj, q.visit_id {_QUERY_OPEN_AT}"),
    Indicator("query_age_30", _("Unresolved queries older than 30 days"), QUALITY, "pct", "query",
              _("ICH E6(R3) 3.11.4, 3.16.1; protocol 2.9–2.10"),
              f"SELECT {_ITEM}, (q.raised_at < ts.t - interval '30 days')::int, 1, q.crf_key, q.id::text,"
              f" q.visit_id {_QUERY_OPEN_AT}"),
    Indicator("query_answer_days", _("Query answer time (median days)"), QUALITY, "days", "query",
              _("ICH E6(R3) 3.16.1; protocol 2.10"), f"""
SELECT {_ITEM}, extract(epoch FROM a.answered_at - q.raised_at) / 86400.0, 1, q.crf_key, q.id::text, q.visit_id
FROM {{query}} q JOIN pp ON pp.id = q.participant_id
JOIN (SELECT query_id, min(at) AS answered_at FROM {{query_message}} WHERE kind = 'answered'
      GROUP BY query_id) a ON a.query_id = q.id
JOIN ts ON a.answered_at >= ts.t0 AND a.answered_at < ts.t""", median=True),
    Indicator("entry_lag_days", _("Data-entry lag: visit date to form complete (median days)"), QUALITY,
              "days", "form", _("ICH E6(R3) 2.12, 3.16.1; protocol 2.9"), f"""
SELECT {_ITEM}, ((f.created_at AT TIME ZONE %(tz)s)::date - v.visit_date)::numeric, 1, f.form_key,
       f.id::text, f.visit_id
FROM ({{visit_forms}}) f JOIN {{visit}} v ON v.id = f.visit_id JOIN pp ON pp.id = f.participant_id
JOIN ts ON f.created_at >= ts.t0 AND f.created_at < ts.t
WHERE v.visit_date IS NOT NULL AND f.created_at >= %(first)s""", median=True),
    Indicator("sdv_critical", _("Critical data verified against source"), QUALITY, "pct", "form",
              _("ICH E6(R3) 3.11.4; protocol 2.10"), f"""
SELECT {_ITEM}, (s.verified_at < ts.t)::int, 1, s.form_key, s.object_id::text, s.visit_id
FROM ({{sdv_items}}) s JOIN pp ON pp.id = s.participant_id CROSS JOIN ts
WHERE s.critical AND s.created_at < ts.t""", higher_is_worse=False),
    Indicator("sdv_backlog", _("SDV backlog: planned items unverified 30 days after entry"), QUALITY, "pct",
              "form", _("ICH E6(R3) 3.11.4; protocol 2.10"), f"""
SELECT {_ITEM}, (s.verified_at IS NULL OR s.verified_at >= ts.t)::int, 1, s.form_key, s.object_id::text,
       s.visit_id
FROM ({{sdv_items}}) s JOIN pp ON pp.id = s.participant_id CROSS JOIN ts
WHERE s.in_plan AND s.created_at < ts.t - interval '30 days'"""),
    Indicator("visit_out_of_window", _("Visits done outside their window"), CONDUCT, "pct", "visit",
              _("protocol 2.5.6, 2.12 (visit windows)"), f"""
SELECT {_ITEM}, (v.visit_date NOT BETWEEN v.window_start AND v.window_end)::int, 1, v.code, v.id::text, v.id
FROM {{visit}} v JOIN pp ON pp.id = v.participant_id CROSS JOIN ts
WHERE v.visit_date IS NOT NULL AND v.visit_date <= ts.d"""),
    Indicator("visit_missed", _("Visits missed or overdue (window closed, no visit)"), CONDUCT, "pct", "visit",
              _("protocol 2.5.6, 2.12; ICH E6(R3) 3.11.4"), f"""
SELECT {_ITEM}, (v.visit_date IS NULL OR v.visit_date > ts.d)::int, 1, v.code, v.id::text, v.id
FROM {{visit}} v JOIN pp ON pp.id = v.participant_id CROSS JOIN ts
WHERE v.window_end < ts.d AND NOT v.not_applicable"""),
    Indicator("endpoint_at_risk", _("Primary endpoint at risk: month-6/12 UPCR or creatinine missing or "
                                    "outside the window"), ENDPOINT, "pct", "visit",
              _("protocol 1.2, 2.6, 2.14 (months 6 and 12, ±14 days)"), f"""
SELECT {_ITEM}, (NOT EXISTS (SELECT 1 FROM {{crf_labs}} l WHERE l.visit_id = v.id AND l.created_at < ts.t
        AND l.upcr_value IS NOT NULL AND l.creatinine_value IS NOT NULL
        AND l.sample_date BETWEEN v.window_start AND v.window_end))::int, 1, v.code, v.id::text, v.id
FROM {{visit}} v JOIN pp ON pp.id = v.participant_id CROSS JOIN ts
WHERE v.code IN ('m6', 'm12') AND NOT v.not_applicable AND v.window_end < ts.d + 7"""),
    Indicator("sae_late", _("SAE reporting obligations met late"), SAFETY, "pct", "sae",
              _("protocol 2.5.6, 3.3 (24 h; ethics 15 days); ICH E6(R3) 2.7"), f"""
SELECT {_ITEM}, (o.met_at > o.due_at)::int, 1, pol.code, c.id::text, NULL::uuid
FROM {{obligation}} o JOIN {{sae}} c ON c.id = o.case_id JOIN {{policy}} pol ON pol.id = o.policy_id
JOIN pp ON pp.id = c.participant_id CROSS JOIN ts WHERE o.met_at < ts.t"""),
    Indicator("sae_overdue", _("SAE reporting obligations open past due"), SAFETY, "pct", "sae",
              _("protocol 2.5.6, 3.3; ICH E6(R3) 2.7"), f"""
SELECT {_ITEM}, (o.met_at IS NULL OR o.met_at >= ts.t)::int, 1, pol.code, c.id::text, NULL::uuid
FROM {{obligation}} o JOIN {{sae}} c ON c.id = o.case_id JOIN {{policy}} pol ON pol.id = o.policy_id
JOIN pp ON pp.id = c.participant_id CROSS JOIN ts WHERE o.due_at < ts.t"""),
    Indicator("deviation_rate", _("Protocol deviations per 100 participant-months"), CONDUCT, "per100pm", "form",
              _("protocol 2.13.1 (PPS); ICH E6(R3) 2.5, 3.11.4"), f"""
SELECT {_ITEM}, 1, 0, 'deviation', d.id::text, d.visit_id
FROM {{crf_deviation}} d JOIN pp ON pp.id = d.participant_id CROSS JOIN ts WHERE d.date <= ts.d
UNION ALL
SELECT {_ITEM}, 0, (ts.d - pp.month0_date) / 30.4375, '', '', NULL FROM pp CROSS JOIN ts
WHERE pp.month0_date <= ts.d"""),
    Indicator("prohibited_conmed", _("Participants on a prohibited concomitant medication"), CONDUCT, "pct",
              "participant", _("protocol 2.5.5"), f"""
SELECT {_ITEM}, (EXISTS (SELECT 1 FROM {{crf_conmeds}} m WHERE m.participant_id = pp.id
        AND m.category = ANY(%(prohibited)s) AND m.created_at < ts.t
        AND coalesce(m.start_date, pp.month0_date) <= ts.d
        AND (m.stop_date IS NULL OR m.stop_date >= pp.month0_date)))::int, 1, 'conmeds', pp.id::text,
       NULL::uuid
FROM pp CROSS JOIN ts WHERE pp.month0_date <= ts.d"""),
    Indicator("prednisone_m6", _("Prednisone 5 mg/day or more at month 6"), CONDUCT, "pct", "participant",
              _("protocol 2.5.2"), f"""
SELECT {_ITEM}, (x.dose >= %(prednisone_limit)s)::int, 1, 'prednisone', pp.id::text, NULL::uuid
FROM (SELECT v.participant_id, coalesce(v.visit_date, v.target_date) AS m6d,
             (SELECT d.dose_mg_day FROM {{crf_prednisone}} d WHERE d.participant_id = v.participant_id
              AND d.start_date <= coalesce(v.visit_date, v.target_date)
              ORDER BY d.start_date DESC LIMIT 1) AS dose
      FROM {{visit}} v WHERE v.code = 'm6' AND NOT v.not_applicable) x
JOIN pp ON pp.id = x.participant_id JOIN ts ON x.m6d <= ts.d WHERE x.dose IS NOT NULL"""),
    Indicator("infusion_window", _("Infusions given outside their visit window"), CONDUCT, "pct", "form",
              _("protocol 1.3, 2.5 (months 0 and 6)"),
              f"SELECT {_ITEM}, ((i.started_at AT TIME ZONE %(tz)s)::date NOT BETWEEN v.window_start"
              f" AND v.window_end)::int, 1, 'infusion', i.id::text, i.visit_id {_INFUSIONS}"),
    Indicator("infusion_dose", _("Infusion dose outside 1×10⁶ cells/kg ± 10 % (bag weight vs visit weight)"),
              CONDUCT, "pct", "form", _("protocol 1.3, 2.5 (1×10⁶ cells/kg)"),
              f"SELECT {_ITEM}, (abs(b.body_weight_kg / vs.weight_kg - 1) > %(dose_tolerance)s)::int, 1,"
              f" 'infusion', i.id::text, i.visit_id {_INFUSIONS}"
              " AND b.body_weight_kg IS NOT NULL AND vs.weight_kg > 0"),
    Indicator("infusion_shelf_life", _("Infusions started after the bag's shelf life"), CONDUCT, "pct", "form",
              _("protocol 2.5, 2.8; pharmacy SOP (shelf life of the prepared bag)"),
              f"SELECT {_ITEM}, (i.started_at > b.prepared_at + %(shelf_life)s)::int, 1, 'infusion',"
              f" i.id::text, i.visit_id {_INFUSIONS} AND b.prepared_at IS NOT NULL"),
    Indicator("consent_version", _("Consents not on the current form version"), CONDUCT, "pct", "participant",
              _("protocol 2.3, 2.4, 3.5 (amendments); ICH E6(R3) 2.8"), f"""
SELECT {_ITEM}, (c.form_version <> CASE c.kind WHEN 'main' THEN %(main_version)s
                                             ELSE %(bio_version)s END)::int, 1, c.kind, pp.id::text, NULL::uuid
FROM {{consent}} c JOIN pp ON pp.id = c.participant_id CROSS JOIN ts
WHERE c.consented_at < ts.t AND CASE c.kind WHEN 'main' THEN %(main_version)s ELSE %(bio_version)s END <> ''"""),
    Indicator("biospecimen_consent", _("Biospecimens taken without a prior biospecimen consent"), CONDUCT, "pct",
              "form", _("protocol 2.4, 2.12"), f"""
SELECT {_ITEM}, (bc.id IS NULL OR bc.consented_at > s.collected_at)::int, 1, 'biospecimen', s.id::text,
       s.visit_id
FROM {{crf_biospecimen}} s JOIN pp ON pp.id = s.participant_id
LEFT JOIN {{consent}} bc ON bc.participant_id = s.participant_id AND bc.kind = 'biospecimen'
CROSS JOIN ts WHERE s.collected_at < ts.t"""),
)
BY_CODE = {i.code: i for i in INDICATORS}
