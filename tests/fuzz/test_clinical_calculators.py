"""Every public function of edc.clinical, for any input: a well-formed result that keeps its stated
invariants, or the documented exception (ValueError for impossible values, TypeError for a value of the
wrong type) — never anything else (OverflowError, InvalidOperation, KeyError...)."""
import math
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from edc.clinical import (
    bilag,
    dates,
    dosing,
    egfr,
    eligibility,
    nih,
    prednisone,
    relapse,
    renal_response,
    sledai,
    units,
)
from tests.fuzz.strategies import any_date, any_number, finite_float, fuzz, maybe, naive_datetime, trial_date

DOCUMENTED = (ValueError, TypeError)


def _finite(x) -> bool:
    return isinstance(x, float) and math.isfinite(x)


# --- units ----------------------------------------------------------------------------------------

@fuzz(200)
@given(any_number)
@example(10**400)  # was OverflowError (int too large to convert to float); now ValueError
@example(-(10**400))
def test_require_finite_positive_non_negative(value):
    for check, ok in ((units.require_finite, lambda x: True), (units.require_positive, lambda x: x > 0),
                      (units.require_non_negative, lambda x: x >= 0)):
        try:
            result = check(value, "x")
        except DOCUMENTED:
            continue
        assert _finite(result) and ok(result)


@fuzz(150)
@given(any_number, st.sampled_from([*units.CREATININE_UNITS, "", "mmol/L", "UMOL/L"]))
@example(1.7e308, "mg/dL")  # 1.7e308 × 88.4 overflowed to inf; now refused
def test_creatinine_conversions(value, unit):
    for convert in (units.creatinine_to_mg_dl, units.creatinine_to_umol_l):
        try:
            result = convert(value, unit)
        except DOCUMENTED:
            continue
        assert unit in units.CREATININE_UNITS
        assert _finite(result) and result > 0


@fuzz(150)
@given(any_number, st.sampled_from([*units.UPCR_UNITS, "", "g/L"]))
@example(1.7e308, "g/g")
def test_upcr_conversions(value, unit):
    try:
        g_g = units.upcr_to_g_g(value, unit)
    except DOCUMENTED:
        g_g = None
    if g_g is not None:
        assert unit in units.UPCR_UNITS and _finite(g_g) and g_g >= 0
    try:
        mg_mmol = units.upcr_g_g_to_mg_mmol(value)
    except DOCUMENTED:
        return
    assert _finite(mg_mmol) and mg_mmol >= 0


# --- eGFR -----------------------------------------------------------------------------------------

@fuzz(200)
@given(any_number, any_number, st.sampled_from(["F", "M", "f", "", "X"]))
@example(5e-324, 18, "F")
@example(30.0, 120, "M")
def test_egfr_is_positive_and_finite_or_refused(creatinine, age, sex):
    try:
        value = egfr.egfr_ckd_epi_2021(creatinine, age, sex)
    except DOCUMENTED:
        return
    assert _finite(value) and value > 0
    assert egfr.gfr_category(value) in ("G1", "G2", "G3a", "G3b", "G4", "G5")


@fuzz(100)
@given(st.floats(min_value=0.01, max_value=30), st.floats(min_value=18, max_value=120), st.sampled_from("FM"))
def test_egfr_falls_as_creatinine_rises(creatinine, age, sex):
    assert egfr.egfr_ckd_epi_2021(creatinine, age, sex) >= egfr.egfr_ckd_epi_2021(
        min(creatinine * 1.1, 30), age, sex)


@fuzz(100)
@given(st.floats(min_value=0.1, max_value=30), st.integers(min_value=18, max_value=99), st.sampled_from("FM"))
def test_egfr_falls_with_age(creatinine, age, sex):
    assert egfr.egfr_ckd_epi_2021(creatinine, age + 1, sex) < egfr.egfr_ckd_epi_2021(creatinine, age, sex)


@fuzz(150)
@given(any_number)
def test_gfr_category(value):
    try:
        category = egfr.gfr_category(value)
    except DOCUMENTED:
        return
    assert category in ("G1", "G2", "G3a", "G3b", "G4", "G5")


# --- dates ----------------------------------------------------------------------------------------

@fuzz(150)
@given(any_date, any_date)
def test_age_and_months(a, b):
    try:
        age = dates.age_in_years(a, b)
    except ValueError:
        assert b < a
    else:
        assert 0 <= age <= b.year - a.year
    try:
        months = dates.whole_months_between(a, b)
    except ValueError:
        assert b < a
    else:
        assert months >= 0 and dates.add_months(a, months) <= b


@fuzz(150)
@given(any_date, st.integers(min_value=-(10**6), max_value=10**6))
@example(date(9999, 12, 31), 1)
@example(date(1, 1, 1), -1)
def test_add_months(start, months):
    try:
        shifted = dates.add_months(start, months)
    except ValueError:  # outside the calendar (years 1-9999)
        return
    assert (shifted.year * 12 + shifted.month) - (start.year * 12 + start.month) == months
    assert shifted.day <= start.day


# --- dosing and prednisone ------------------------------------------------------------------------

@fuzz(150)
@given(any_number)
def test_msc_dose(weight):
    try:
        cells = dosing.msc_total_cells(weight)
    except DOCUMENTED:
        return
    low, high = dosing.WEIGHT_KG_RANGE
    assert isinstance(cells, int) and low * 1e6 <= cells <= high * 1e6


@fuzz(100)
@given(naive_datetime, st.integers(min_value=-(10**6), max_value=10**6), st.booleans())
def test_infusion_duration(start, minutes, aware):
    if aware:
        from zoneinfo import ZoneInfo
        start = start.replace(tzinfo=ZoneInfo("Asia/Shanghai"))
    try:
        end = start + timedelta(minutes=minutes)
    except OverflowError:
        return  # not a datetime that can exist
    try:
        ok = dosing.infusion_duration_ok(start, end)
    except ValueError:
        assert minutes < 0
    else:
        assert ok == (minutes > 30)


@fuzz(150)
@given(any_number, any_number, st.booleans())
def test_prednisone_flags(dose, weight, month6):
    try:
        flags = prednisone.prednisone_flags(dose, weight, month6)
    except DOCUMENTED:
        return
    codes = [f.code for f in flags]
    assert set(codes) <= {"above_1_mg_per_kg", "above_80_mg_day", "month6_not_below_5_mg_day"}
    assert len(codes) == len(set(codes)) and all(f.message for f in flags)
    if not month6:
        assert "month6_not_below_5_mg_day" not in codes


# --- SLEDAI-2K ------------------------------------------------------------------------------------

codes = st.sampled_from([d.code for d in sledai.DESCRIPTORS])


@fuzz(150)
@given(st.lists(st.one_of(codes, st.text(max_size=8)), max_size=30))
def test_sledai_total_is_the_sum_of_ticked_weights(present):
    try:
        total = sledai.sledai_2k_total(present)
        renal = sledai.renal_subscore(present)
    except ValueError:
        assert any(c not in sledai.DESCRIPTORS_BY_CODE for c in present)
        return
    ticked = set(present)
    assert total == sum(d.weight for d in sledai.DESCRIPTORS if d.code in ticked)
    assert renal == sum(d.weight for d in sledai.DESCRIPTORS if d.code in ticked and d.code in sledai.RENAL_CODES)
    assert 0 <= renal <= 16 and renal <= total <= sledai.MAX_TOTAL


LAB_ARGS = ["urine_protein_24h_g", "upcr_g_g", "urine_rbc_per_hpf", "urine_wbc_per_hpf", "c3", "c3_lower_limit",
            "c4", "c4_lower_limit", "anti_dsdna", "anti_dsdna_upper_limit", "platelets_10e9_l", "wbc_10e9_l"]


@fuzz(200)
@given(st.fixed_dictionaries({}, optional={name: maybe(st.one_of(any_number, finite_float)) for name in LAB_ARGS}),
       maybe(st.booleans()))
def test_sledai_suggestions(labs, casts):
    try:
        suggested = sledai.suggest_from_labs(urinary_casts=casts, **labs)
    except DOCUMENTED:
        return
    assert suggested <= set(sledai.DESCRIPTORS_BY_CODE)
    assert ("urinary_casts" in suggested) == bool(casts)
    sledai.sledai_2k_total(suggested)  # a suggestion is always a scorable set


# --- BILAG-2004 renal -----------------------------------------------------------------------------

MEASURES = ["systolic_bp", "diastolic_bp", "uacr_mg_mmol", "upcr_mg_mmol", "urine_protein_24h_g",
            "creatinine_umol_l", "gfr"]
bilag_kwargs = st.fixed_dictionaries({}, optional={
    **{name: maybe(st.one_of(any_number, st.floats(0, 500))) for name in MEASURES},
    **{f"{name}_previous": maybe(st.one_of(any_number, st.floats(0, 500))) for name in MEASURES},
    "dipstick_protein": maybe(st.one_of(st.integers(-1, 4), st.booleans())),
    "dipstick_protein_previous": maybe(st.integers(0, 3)),
    **{name: st.one_of(st.booleans(), st.just(1), st.none()) for name in bilag._YES_NO_FIELDS},
})


@fuzz(250)
@given(bilag_kwargs)
@example({"urine_protein_24h_g": 1e308, "urine_protein_24h_g_previous": 5e-324})
def test_bilag_renal_grade(kwargs):
    try:
        i = bilag.BilagRenalInput(**kwargs)
    except DOCUMENTED:
        return
    result = bilag.bilag_renal_grade(i)
    assert result.grade in "ABCDE" and len(result.grade) == 1
    assert result.features and all(f.code and f.reason for f in result.features)
    assert result.score == bilag.GRADE_SCORES[result.grade]
    if result.grade == "A":
        assert len(result.features) >= 2
    if result.grade == "E":
        assert not i.previous_renal_involvement


@fuzz(50)
@given(st.text(max_size=3))
def test_bilag_numeric_score(grade):
    try:
        assert bilag.bilag_numeric_score(grade) in (0, 1, 8, 12)
    except ValueError:
        assert grade not in bilag.GRADE_SCORES


# --- NIH indices ----------------------------------------------------------------------------------

component = st.one_of(st.integers(0, 3), st.integers(), st.booleans(), st.floats(), st.none(), st.text(max_size=2))


@fuzz(150)
@given(st.fixed_dictionaries({k: component for k in nih.ACTIVITY_WEIGHTS}),
       st.fixed_dictionaries({k: component for k in nih.CHRONICITY_WEIGHTS}))
def test_nih_indices(activity, chronicity):
    for index, scores, maximum in ((nih.nih_activity_index, activity, nih.MAX_ACTIVITY),
                                   (nih.nih_chronicity_index, chronicity, nih.MAX_CHRONICITY)):
        try:
            total = index(**scores)
        except ValueError:
            assert any(isinstance(s, bool) or not isinstance(s, int) or not 0 <= s <= 3 for s in scores.values())
            continue
        assert 0 <= total <= maximum


@fuzz(150)
@given(any_number)
def test_component_score_from_percent(percent):
    try:
        assert nih.component_score_from_percent(percent) in (0, 1, 2, 3)
    except DOCUMENTED:
        pass


# --- renal response, relapse, renal-involvement-free survival ------------------------------------

@fuzz(250)
@given(any_number, any_number, any_number, any_number, st.one_of(any_number, st.floats(0, 0.99)))
@example(5e-324, 1.0, 1e308, 1.0, 0.15)  # reduction % was -inf; now a refused (implausible) value
@example(1.0, 5e-324, 1.0, 1e308, 0.15)  # eGFR ratio was inf
def test_renal_response(base_upcr, base_egfr, upcr, now_egfr, tolerance):
    try:
        result = renal_response.renal_response(base_upcr, base_egfr, upcr, now_egfr, tolerance)
    except DOCUMENTED:
        return
    assert result.category in set(renal_response.ResponseCategory)
    assert _finite(result.upcr_reduction_pct) and result.upcr_reduction_pct <= 100
    assert _finite(result.egfr_ratio) and result.egfr_ratio >= 0
    assert result.rules and all(isinstance(r, str) and r for r in result.rules)
    assert result.responded == (result.category != "none")
    if result.category == "complete":
        assert Decimal(str(float(upcr))) < Decimal("0.5") and result.egfr_stable


measurement = st.tuples(trial_date, st.one_of(st.floats(0, 20), any_number))


@fuzz(200)
@given(st.sampled_from(["complete", "partial", "none", ""]), any_number, st.lists(measurement, max_size=12))
def test_detect_renal_relapse(response, reference, measurements):
    try:
        result = relapse.detect_renal_relapse(response, reference, measurements)
    except DOCUMENTED:
        return
    assert response in ("complete", "partial")
    if result is not None:
        assert (result.confirmed_on - result.onset).days > relapse.CONFIRMATION_DAYS
        assert result.first in [(d, float(v)) for d, v in measurements]
        assert result.criterion


@fuzz(200)
@given(
    randomization=trial_date, baseline=st.one_of(st.floats(1, 150), any_number),
    egfrs=st.lists(st.tuples(trial_date, st.one_of(st.floats(0, 150), any_number)), max_size=10),
    dialysis=st.lists(st.tuples(trial_date, maybe(trial_date)), max_size=3),
    transplant=maybe(trial_date), relapse_day=maybe(trial_date), death=maybe(trial_date), as_of=maybe(trial_date))
@example(randomization=date(9999, 12, 1), baseline=90.0, egfrs=[], dialysis=[(date(9999, 12, 2), None)],
         transplant=None, relapse_day=None, death=None, as_of=date(9999, 12, 31))
def test_renal_involvement_free_survival(randomization, baseline, egfrs, dialysis, transplant, relapse_day,
                                         death, as_of):
    try:
        event = relapse.renal_involvement_free_survival_event(
            randomization_date=randomization, baseline_egfr=baseline, egfr_measurements=egfrs,
            dialysis_periods=dialysis, transplant_date=transplant, relapse_date=relapse_day, death_date=death,
            as_of=as_of)
    except DOCUMENTED:
        return
    if event is None:
        assert death is None and transplant is None and relapse_day is None
        return
    assert event.kind in set(relapse.SurvivalEventKind)
    assert randomization <= event.event_date <= event.confirmed_on and event.detail
    for day in (death, transplant, relapse_day):
        if day is not None:
            assert event.event_date <= day  # the first event wins


# --- eligibility ----------------------------------------------------------------------------------

@fuzz(200)
@given(
    dob=any_date, sex=st.sampled_from(["F", "M", "X"]), screening=any_date, consent=st.booleans(),
    acr=st.integers(-5, 20), biopsy_class=st.sampled_from(["III", "IV", "V", "III+V", "IV+V", "I", "II", "VI", "x"]),
    active=st.booleans(), first_line=any_date, response=st.sampled_from(["none", "partial", "complete", "?"]),
    hepatic=st.booleans(), creatinine=st.one_of(st.floats(1, 1000), any_number),
    unit=st.sampled_from(["umol/L", "mg/dL", "mmol/L"]),
    exclusions=st.dictionaries(st.sampled_from(eligibility.EXCLUSION_CODES), st.booleans()))
@example(dob=date(1990, 5, 17), sex="F", screening=date(2025, 3, 1), consent=True, acr=6, biopsy_class="IV",
         active=True, first_line=date(2024, 7, 1), response="none", hepatic=False, creatinine=80.0, unit="umol/L",
         exclusions={c: False for c in eligibility.EXCLUSION_CODES})
def test_assess_eligibility(dob, sex, screening, consent, acr, biopsy_class, active, first_line, response, hepatic,
                            creatinine, unit, exclusions):
    data = eligibility.EligibilityInput(
        date_of_birth=dob, sex=sex, screening_date=screening, main_consent_given=consent, acr_criteria_met=acr,
        biopsy_class=biopsy_class, biopsy_active=active, first_line_start_date=first_line,
        first_line_response=response, severe_hepatic_dysfunction=hepatic, creatinine_value=creatinine,
        creatinine_unit=unit, exclusions=exclusions)
    try:
        verdict = eligibility.assess_eligibility(data)
    except DOCUMENTED:
        return
    known = set(eligibility.INCLUSION_CODES) | set(eligibility.EXCLUSION_CODES)
    assert set(verdict.failed) <= known and len(verdict.failed) == len(set(verdict.failed))
    assert verdict.eligible == (not verdict.failed)
    assert _finite(verdict.egfr) and verdict.egfr > 0 and verdict.months_on_first_line >= 0
    assert ("exc1" in verdict.failed) == (not consent)
    assert ("inc2" in verdict.failed) == (acr < eligibility.ACR_CRITERIA_NEEDED)


@pytest.mark.parametrize("value", [datetime(2024, 1, 1), "1", None, True, [1]])
def test_a_value_of_the_wrong_type_is_a_type_error(value):
    with pytest.raises(TypeError):
        units.require_finite(value, "x")
