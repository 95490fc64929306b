"""Which form field measures which quantity of the plausibility table (edc.clinical.plausibility), and
the checks every write path runs on them: the eCRF save (crf.services.entry.save_crf, so also a
correction through a query answer and any import through that service) and the eligibility
assessment. Hard findings refuse the value; soft findings and delta checks against the participant's
own previous value warn (docs/DATA_QUALITY.md "Plausibility").

A new numeric field must be declared here: tests/edc/test_plausibility_table.py enumerates every
numeric field of every eCRF and of the eligibility form and fails on one without a rule."""
from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.translation import gettext as _

from edc.clinical import plausibility as table
from edc.edit_checks import SoftWarning


@dataclass(frozen=True)
class FieldRule:
    quantity: str
    unit: str | None = None  # the field's fixed unit; None = the quantity's canonical unit
    unit_field: str = ""  # or: the field holding the unit chosen on the form
    delta: bool = False  # compare with the participant's previous value (a soft warning)


def _r(quantity: str, unit: str | None = None, unit_field: str = "", delta: bool = False) -> FieldRule:
    return FieldRule(quantity, unit, unit_field, delta)


NIH_COMPONENTS = ("endocapillary_hypercellularity", "neutrophils_karyorrhexis", "fibrinoid_necrosis",
                  "hyaline_deposits", "cellular_fibrocellular_crescents", "interstitial_inflammation",
                  "total_glomerulosclerosis", "fibrous_crescents", "tubular_atrophy",
                  "interstitial_fibrosis")

# form key -> field -> rule. The form keys are crf.registry's, plus "eligibility" and "bag".
FIELDS: dict[str, dict[str, FieldRule]] = {
    "labs": {
        "upcr_value": _r("upcr", unit_field="upcr_unit"),
        "urine_protein_24h_g": _r("urine_protein_24h", "g"),
        "creatinine_value": _r("creatinine", unit_field="creatinine_unit", delta=True),
        "albumin_g_l": _r("albumin"), "c3_g_l": _r("c3"), "c4_g_l": _r("c4"),
        "anti_dsdna_iu_ml": _r("anti_dsdna"), "urine_rbc_hpf": _r("urine_cells_hpf"),
        "urine_wbc_hpf": _r("urine_cells_hpf"), "haemoglobin_g_l": _r("haemoglobin", delta=True),
        "wbc_10e9_l": _r("wbc"), "platelets_10e9_l": _r("platelets"), "alt_u_l": _r("alt"),
        "ast_u_l": _r("ast"),
    },
    "vitals": {
        "systolic_bp": _r("systolic_bp"), "diastolic_bp": _r("diastolic_bp"),
        "heart_rate": _r("heart_rate"), "temperature_c": _r("temperature"),
        # The weight change since the previous vitals is the vitals form's own check (same limit).
        "weight_kg": _r("weight"), "height_cm": _r("height"),
    },
    "infusion": {"volume_ml": _r("infusion_volume")},
    "prednisone": {"dose_mg_day": _r("prednisone_dose"), "weight_kg": _r("weight")},
    "biospecimen": {"tubes": _r("tubes"), "storage_temp_c": _r("storage_temp")},
    "biopsy": {name: _r("nih_component") for name in NIH_COMPONENTS},
    "bilag": {"dipstick_protein": _r("dipstick")},
    "sledai": {"window_days": _r("sledai_window")},
    "eligibility": {"acr_criteria_met": _r("acr_criteria"),
                    "creatinine_value": _r("creatinine", unit_field="creatinine_unit")},
    "bag": {"body_weight_kg": _r("weight"), "cell_count": _r("cell_count"), "viability_pct": _r("viability")},
}
# The date each form's values were measured on, for the delta checks.
DATE_FIELDS: dict[str, str] = {"labs": "sample_date", "vitals": "measured_on", "prednisone": "start_date"}

UNIT_LABELS = {"umol/L": "µmol/L", "10^9/L": "×10⁹/L", "/uL": "/µL", "10^6 cells": "×10⁶ cells"}
UNITLESS = {"score", "grade", "criteria", "tubes"}  # counts: the label says what is counted


def unit_label(code: str) -> str:
    return "" if code in UNITLESS else UNIT_LABELS.get(code, code)


def fmt(x: float) -> str:
    """Three significant figures, never an exponent: 0.113, 28.3, 2500."""
    if x == 0:
        return "0"
    if not math.isfinite(x) or abs(x) >= 1e15:
        return "∞" if x > 0 else "-∞"  # a number too long to be a measurement
    places = max(0, 2 - math.floor(math.log10(abs(x))))
    return f"{x:.{places}f}".rstrip("0").rstrip(".") if places else f"{x:.0f}"


def finding_message(label, f: table.Finding) -> str:
    values = {"label": label, "value": fmt(f.value), "unit": unit_label(f.unit), "low": fmt(f.low),
              "high": fmt(f.high)}
    if f.level == table.HARD:
        text = _("%(label)s %(value)s %(unit)s is not possible (accepted: %(low)s to %(high)s %(unit)s).")
    else:
        text = _("%(label)s %(value)s %(unit)s is unusual (expected %(low)s to %(high)s %(unit)s): "
                 "check the value.")
    text = text % values
    if f.likely_units:
        alternatives = "; ".join(
            _("%(value)s %(other)s = %(converted)s %(unit)s") % {
                "value": fmt(f.value), "other": unit_label(other), "converted": fmt(converted),
                "unit": unit_label(f.unit)} for other, converted in f.likely_units)
        text += " " + _("It looks like a value in %(units)s (%(alternatives)s): check the unit.") % {
            "units": _(" or ").join(unit_label(u) for u, _c in f.likely_units), "alternatives": alternatives}
    elif f.likely_value is not None:
        text += " " + _("Check the decimal point or an extra digit: %(v)s %(unit)s would be usual.") % {
            "v": fmt(f.likely_value), "unit": unit_label(f.unit)}
    return text.replace("  ", " ").replace(" )", ")").replace(" .", ".").replace(" :", ":")


def check_value(form_key: str, field: str, value, unit: str | None = None,
                label=None) -> tuple[str | None, SoftWarning | None]:
    """(hard error, soft warning) for one value; (None, None) when it is plausible or empty. `unit`
    is the unit chosen on the form for a field with a unit selector, else the field's own."""
    rule = FIELDS[form_key][field]
    if value is None or value == "" or isinstance(value, bool):
        return None, None
    unit = unit or rule.unit
    if rule.unit_field and not unit:
        return None, None  # no unit chosen: the form's required-field check answers
    try:
        finding = table.check(rule.quantity, value, unit)
    except ValueError:
        return _("%(unit)s is not a unit of this value.") % {"unit": unit}, None
    if finding is None:
        return None, None
    message = finding_message(label or table.QUANTITIES[rule.quantity].label, finding)
    if finding.level == table.HARD:
        return message, None
    return None, SoftWarning(f"implausible_{field}", message, field)


def _canonical(rule: FieldRule, obj, field: str) -> float | None:
    value = getattr(obj, field, None)
    if value is None:
        return None
    unit = getattr(obj, rule.unit_field, None) if rule.unit_field else rule.unit
    q = table.QUANTITIES[rule.quantity]
    try:
        return q.unit(unit or q.canonical).to_canonical(float(value))
    except ValueError:
        return None


def delta_warning(form_key: str, field: str, instance, label) -> SoftWarning | None:
    """The change since the participant's latest earlier value of the same form (same model)."""
    rule, date_field = FIELDS[form_key][field], DATE_FIELDS.get(form_key)
    day = getattr(instance, date_field, None) if date_field else None
    now = _canonical(rule, instance, field)
    if not rule.delta or day is None or now is None:
        return None
    previous = (type(instance).objects.filter(participant=instance.participant,
                                              **{f"{date_field}__lt": day, f"{field}__isnull": False})
                .exclude(pk=instance.pk).order_by(f"-{date_field}").first())
    before = _canonical(rule, previous, field) if previous else None
    if before is None:
        return None
    q = table.QUANTITIES[rule.quantity]
    days = (day - getattr(previous, date_field)).days
    kind = table.delta_finding(rule.quantity, before, now, days)
    if kind is None:
        return None
    values = {"label": label, "now": fmt(now), "before": fmt(before), "unit": unit_label(q.canonical),
              "d": getattr(previous, date_field).isoformat(), "days": days,
              "pct": f"{(now / before - 1) * 100:+.0f}", "fold": fmt(q.delta_fold or 0),
              "limit": fmt((q.delta_fraction or 0) * 100)}
    if kind == "fold":
        message = _("%(label)s %(now)s %(unit)s is %(fold)s times higher or lower than %(before)s %(unit)s "
                    "on %(d)s: check the value and the unit.") % values
    else:
        message = _("%(label)s %(now)s %(unit)s changed by %(pct)s %% in %(days)d days since %(before)s "
                    "%(unit)s on %(d)s (more than %(limit)s %%): check the value.") % values
    return SoftWarning(f"delta_{field}", message, field)


def instance_checks(form_key: str, instance) -> tuple[dict[str, str], list[SoftWarning]]:
    """Every declared field of `instance`: hard errors by field, and the soft warnings (ranges and,
    when the instance has a participant, the delta checks)."""
    errors: dict[str, str] = {}
    warnings: list[SoftWarning] = []
    meta = type(instance)._meta
    for field, rule in FIELDS.get(form_key, {}).items():
        label = meta.get_field(field).verbose_name
        unit = getattr(instance, rule.unit_field, None) if rule.unit_field else None
        error, warning = check_value(form_key, field, getattr(instance, field, None), unit, label)
        if error:
            errors[field] = error
            continue
        if warning:
            warnings.append(warning)
        if rule.delta and getattr(instance, "participant_id", None):
            delta = delta_warning(form_key, field, instance, label)
            if delta:
                warnings.append(delta)
    return errors, warnings
