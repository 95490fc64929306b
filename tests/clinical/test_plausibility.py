"""The plausibility table as pure functions (edc.clinical.plausibility): both ends of every range in
every unit, unit confusion named, decimal slips, delta rules. No database."""
import math

import pytest

from edc.clinical import plausibility as table
from edc.clinical.plausibility import HARD, QUANTITIES, SOFT, check, delta_finding


@pytest.mark.parametrize("key", sorted(QUANTITIES))
def test_every_quantity_declares_both_ends_in_order_and_a_source(key):
    q = QUANTITIES[key]
    assert q.hard[0] < q.hard[1] and q.soft[0] < q.soft[1]
    assert q.hard[0] <= q.soft[0] and q.soft[1] <= q.hard[1]  # soft inside hard
    assert len(q.source) > 20 and q.canonical in {u.code for u in q.units}
    for u in q.units:
        low, high = q.limits(u.code, HARD)
        assert math.isfinite(low) and math.isfinite(high) and low < high


@pytest.mark.parametrize("key", sorted(QUANTITIES))
def test_both_ends_of_every_unit_are_enforced(key):
    q = QUANTITIES[key]
    for u in q.units:
        hard_low, hard_high = q.limits(u.code, HARD)
        soft_low, soft_high = q.limits(u.code, SOFT)
        span = hard_high - hard_low
        assert check(key, hard_high + span * 0.01 + 1, u.code).level == HARD
        if hard_low > 0 or key in {"storage_temp", "temperature"}:
            assert check(key, hard_low - span * 0.01 - 1, u.code).level == HARD
        else:  # a lower hard limit of 0: negative values are refused
            assert check(key, -1, u.code).level == HARD
        middle = (soft_low + soft_high) / 2
        assert check(key, middle, u.code) is None
        if soft_low > hard_low:
            assert check(key, (hard_low + soft_low) / 2, u.code).level == SOFT
        if soft_high < hard_high:
            assert check(key, (soft_high + hard_high) / 2, u.code).level == SOFT


@pytest.mark.parametrize("key, value, unit, level, likely", [
    ("creatinine", 1.2, "umol/L", HARD, "mg/dL"),        # the eGFR 297 "eligible" of the report
    ("creatinine", 1.1, "umol/L", HARD, "mg/dL"),
    ("creatinine", 106, "mg/dL", HARD, "umol/L"),
    ("upcr", 250, "g/g", HARD, "mg/mmol"),
    ("upcr", 0.3, "mg/mmol", SOFT, "g/g"),               # 0.3 g/g typed with mg/mmol selected
    ("albumin", 3.2, "g/L", HARD, "g/dL"),
    ("haemoglobin", 11.5, "g/L", HARD, "g/dL"),
    ("c3", 90, "g/L", HARD, "mg/dL"),
    ("c4", 20, "g/L", HARD, "mg/dL"),
    ("wbc", 6500, "10^9/L", HARD, "/uL"),
    ("platelets", 250000, "10^9/L", HARD, "/uL"),
    ("urine_protein_24h", 1500, "g", HARD, "mg"),
    ("weight", 154, "kg", SOFT, "lb"),
    ("weight", 300, "kg", HARD, "lb"),
    ("height", 1.65, "cm", HARD, "m"),
    ("height", 65, "cm", HARD, "in"),
    ("temperature", 98.6, "°C", HARD, "°F"),
    ("systolic_bp", 16, "mmHg", HARD, "kPa"),
])
def test_a_value_usual_in_another_unit_names_that_unit(key, value, unit, level, likely):
    finding = check(key, value, unit)
    assert finding.level == level
    assert likely in [u for u, _converted in finding.likely_units]


def test_the_likely_unit_carries_the_converted_value():
    finding = check("creatinine", 1.2, "umol/L")
    assert finding.likely_units == (("mg/dL", pytest.approx(106.08)),)
    fahrenheit = check("temperature", 98.6, "°C")
    assert fahrenheit.likely_units[0][1] == pytest.approx(37.0)


def test_upcr_250_g_g_may_be_mg_mmol_or_mg_g():
    units = [u for u, _c in check("upcr", 250, "g/g").likely_units]
    assert units == ["mg/mmol", "mg/g"]


def test_a_decimal_slip_is_named_when_no_unit_explains_it():
    finding = check("prednisone_dose", 800)  # a typo for 80 (protocol 2.5.2: at most 80 mg/day)
    assert finding.level == HARD and finding.likely_units == () and finding.likely_value == 80
    integer = check("nih_component", 4)
    assert integer.level == HARD and integer.likely_value is None  # 0.4 is not a score


def test_plausible_values_pass_in_every_offered_unit():
    assert check("creatinine", 80, "umol/L") is None and check("creatinine", 0.9, "mg/dL") is None
    assert check("upcr", 56.55, "mg/mmol") is None and check("upcr", 500, "mg/g") is None
    assert check("upcr", 0, "g/g").level == SOFT  # below detection: legitimate, worth a look
    assert check("weight", 62.5) is None and check("temperature", 36.6) is None


def test_an_unknown_unit_is_an_error():
    with pytest.raises(ValueError, match="unknown unit"):
        check("creatinine", 80, "mmol/L")


def test_delta_rules():
    assert delta_finding("creatinine", 80, 240, 30) == "fold"      # ×3: KDIGO AKI stage 3
    assert delta_finding("creatinine", 240, 80, 400) == "fold"     # any interval
    assert delta_finding("creatinine", 80, 200, 30) is None
    assert delta_finding("haemoglobin", 120, 65, 20) == "fraction"  # −46 % in 20 days
    assert delta_finding("haemoglobin", 120, 65, 60) is None       # outside its 31-day window
    assert delta_finding("albumin", 20, 40, 30) is None            # no delta rule
    assert delta_finding("weight", 60, 67, 30) == "fraction"


def test_the_docs_table_lists_every_unit():
    rows = table.table_rows()
    assert len(rows) == sum(len(q.units) for q in QUANTITIES.values())
    assert ("Serum creatinine", "mg/dL") in {(r[0], r[1]) for r in rows}


@pytest.mark.parametrize("value", ["9" * 400, "-" + "9" * 400, "1e308"])
def test_a_number_beyond_any_float_is_impossible_without_a_suggestion(value):
    from decimal import Decimal

    finding = check("nih_component", Decimal(value))
    assert finding.level == HARD and finding.likely_units == () and finding.likely_value is None
    assert check("creatinine", Decimal(value), "umol/L").level == HARD
