"""Renal relapse and renal-involvement-free survival (docs/DECISIONS.md)."""

from datetime import date, timedelta

import pytest

from edc.clinical.relapse import (
    SurvivalEventKind,
    detect_renal_relapse,
    renal_involvement_free_survival_event,
)

D0 = date(2025, 3, 1)


def day(n):
    return D0 + timedelta(days=n)


# --- relapse after complete response: UPCR > 0.5 g/g, confirmed > 7 days apart -------------


def test_response_category_enum_is_accepted():
    from edc.clinical.renal_response import ResponseCategory

    found = detect_renal_relapse(ResponseCategory.COMPLETE, 0.3, [(day(0), 0.8), (day(8), 0.8)])
    assert found is not None


def test_cr_relapse_confirmed_on_second_measurement_more_than_7_days_later():
    result = detect_renal_relapse("complete", 0.3, [(day(0), 0.3), (day(30), 0.8), (day(38), 0.9)])
    assert result is not None
    assert result.first == (day(30), 0.8)
    assert result.confirming == (day(38), 0.9)
    assert result.onset == day(30)
    assert result.confirmed_on == day(38)
    assert "0.5 g/g" in result.criterion


def test_cr_exactly_7_days_apart_is_not_enough():
    assert detect_renal_relapse("complete", 0.3, [(day(30), 0.8), (day(37), 0.9)]) is None


def test_cr_third_measurement_confirms_when_second_too_early():
    result = detect_renal_relapse("complete", 0.3, [(day(30), 0.8), (day(33), 0.9), (day(40), 0.7)])
    assert result is not None and result.confirmed_on == day(40) and result.onset == day(30)


@pytest.mark.parametrize(("value", "relapse"), [(0.5, False), (0.51, True)])
def test_cr_threshold_strictly_above_half(value, relapse):
    found = detect_renal_relapse("complete", 0.2, [(day(0), value), (day(14), value)])
    assert (found is not None) is relapse


def test_cr_single_spike_is_not_relapse():
    assert detect_renal_relapse("complete", 0.2, [(day(0), 2.0), (day(14), 0.3)]) is None


def test_intervening_normal_value_breaks_the_run():
    values = [(day(0), 0.8), (day(10), 0.4), (day(20), 0.9)]
    assert detect_renal_relapse("complete", 0.2, values) is None
    values.append((day(28), 1.0))
    result = detect_renal_relapse("complete", 0.2, values)
    assert result is not None and result.onset == day(20) and result.confirmed_on == day(28)


def test_measurements_are_sorted_by_date():
    result = detect_renal_relapse("complete", 0.3, [(day(38), 0.9), (day(30), 0.8)])
    assert result is not None and result.onset == day(30)


def test_no_measurements_no_relapse():
    assert detect_renal_relapse("complete", 0.3, []) is None


# --- relapse after partial response: doubling AND > 1.0 g/g -----------------------------------


@pytest.mark.parametrize(
    ("reference", "value", "relapse"),
    [
        (0.6, 1.2, True),  # exactly doubled and > 1.0
        (0.6, 1.19, False),  # not doubled
        (0.4, 0.9, False),  # doubled but not > 1.0
        (0.5, 1.0, False),  # doubled, exactly 1.0 is not > 1.0
        (0.5, 1.01, True),
        (1.5, 2.9, False),  # > 1.0 but not doubled
        (1.5, 3.0, True),
        (0.35, 0.7, False),
    ],
)
def test_pr_relapse_rule(reference, value, relapse):
    found = detect_renal_relapse("partial", reference, [(day(0), value), (day(8), value)])
    assert (found is not None) is relapse


def test_pr_criterion_names_reference():
    result = detect_renal_relapse("partial", 0.8, [(day(0), 1.7), (day(9), 1.8)])
    assert result is not None and "2 × 0.8 g/g" in result.criterion


@pytest.mark.parametrize("response", ["none", "Complete", "", "CR"])
def test_unknown_response(response):
    with pytest.raises(ValueError, match="response_reached"):
        detect_renal_relapse(response, 0.3, [])


@pytest.mark.parametrize("reference", [0, -0.1, float("nan")])
def test_invalid_reference(reference):
    with pytest.raises(ValueError, match="Reference UPCR"):
        detect_renal_relapse("partial", reference, [])


def test_invalid_measurement():
    with pytest.raises(ValueError, match="UPCR"):
        detect_renal_relapse("complete", 0.3, [(day(0), -1.0)])


# --- renal-involvement-free survival -------------------------------------------------------------


def rifs(**kwargs):
    kwargs.setdefault("randomization_date", D0)
    kwargs.setdefault("baseline_egfr", 80.0)
    return renal_involvement_free_survival_event(**kwargs)


def test_no_event_is_censored():
    assert rifs(egfr_measurements=[(day(30), 78), (day(60), 75)]) is None


def test_sustained_40_percent_fall_uses_onset_date():
    event = rifs(egfr_measurements=[(day(30), 70), (day(60), 48), (day(75), 47)])
    assert event.kind is SurvivalEventKind.EGFR_FALL_40
    assert event.event_date == day(60)
    assert event.confirmed_on == day(75)


@pytest.mark.parametrize(("value", "event"), [(48.0, True), (48.01, False)])
def test_40_percent_fall_boundary(value, event):
    # 0.60 × 80 = 48: a fall of exactly 40 % counts (≥ 40 %).
    found = rifs(egfr_measurements=[(day(30), value), (day(40), value)])
    assert (found is not None) is event


def test_single_low_egfr_is_not_sustained():
    assert rifs(egfr_measurements=[(day(30), 30), (day(40), 70), (day(50), 30)]) is None


def test_low_values_7_days_apart_not_sustained():
    assert rifs(egfr_measurements=[(day(30), 30), (day(37), 30)]) is None


def test_egfr_before_randomization_ignored():
    assert rifs(egfr_measurements=[(day(-20), 30), (day(-5), 30), (day(3), 75)]) is None


@pytest.mark.parametrize(
    ("value", "kind"),
    [(14.9, SurvivalEventKind.EGFR_BELOW_15), (15.0, SurvivalEventKind.EGFR_FALL_40)],
)
def test_egfr_below_15_is_kidney_failure(value, kind):
    event = rifs(egfr_measurements=[(day(30), value), (day(40), value)])
    assert event.kind is kind  # same date: kidney failure outranks the 40 % fall


def test_dialysis_three_months_counts_from_start():
    event = rifs(dialysis_periods=[(day(100), day(100) + timedelta(days=92))])
    assert event.kind is SurvivalEventKind.DIALYSIS
    assert event.event_date == day(100)


def test_dialysis_just_under_three_months_does_not_count():
    start = date(2025, 6, 10)
    assert rifs(dialysis_periods=[(start, date(2025, 9, 9))]) is None
    assert rifs(dialysis_periods=[(start, date(2025, 9, 10))]).confirmed_on == date(2025, 9, 10)


def test_ongoing_dialysis_needs_as_of():
    with pytest.raises(ValueError, match="as_of"):
        rifs(dialysis_periods=[(day(10), None)])
    assert rifs(dialysis_periods=[(day(10), None)], as_of=day(40)) is None
    assert (
        rifs(dialysis_periods=[(day(10), None)], as_of=day(200)).kind is SurvivalEventKind.DIALYSIS
    )


def test_first_event_wins():
    event = rifs(
        relapse_date=day(200),
        death_date=day(400),
        transplant_date=day(300),
        egfr_measurements=[(day(250), 40), (day(260), 40)],
    )
    assert event.kind is SurvivalEventKind.RENAL_RELAPSE
    assert event.event_date == day(200)


def test_death_outranks_relapse_on_same_day():
    assert rifs(relapse_date=day(50), death_date=day(50)).kind is SurvivalEventKind.DEATH


def test_transplant_event():
    event = rifs(transplant_date=day(90))
    assert event.kind is SurvivalEventKind.TRANSPLANT and event.confirmed_on == day(90)
    assert str(event.kind) == "kidney_failure_transplant"


@pytest.mark.parametrize("field", ["death_date", "transplant_date", "relapse_date"])
def test_event_before_randomization_is_an_error(field):
    with pytest.raises(ValueError, match="before randomization"):
        rifs(**{field: day(-1)})


def test_dialysis_errors():
    with pytest.raises(ValueError, match="before randomization"):
        rifs(dialysis_periods=[(day(-1), day(100))])
    with pytest.raises(ValueError, match="before its start"):
        rifs(dialysis_periods=[(day(10), day(5))])


@pytest.mark.parametrize("baseline", [0, -10, float("inf")])
def test_invalid_baseline_egfr(baseline):
    with pytest.raises(ValueError, match="Baseline eGFR"):
        rifs(baseline_egfr=baseline)
