"""Prednisone flags (protocol 2.5.2: 1.0 mg/kg/day, max 80 mg/day, < 5 mg/day by month 6)."""

import pytest

from edc.clinical.prednisone import prednisone_flags


def flag_codes(dose, weight, at_month6=False):
    return [f.code for f in prednisone_flags(dose, weight, at_month6)]


def test_protocol_start_dose_no_flags():
    assert prednisone_flags(60, 60, False) == []


@pytest.mark.parametrize(
    ("dose", "weight", "flagged"),
    [(60, 60, False), (60.5, 60, True), (55, 55.5, False), (58.2, 58.1, True), (58.1, 58.1, False)],
)
def test_above_1_mg_per_kg(dose, weight, flagged):
    assert ("above_1_mg_per_kg" in flag_codes(dose, weight)) is flagged


@pytest.mark.parametrize(("dose", "flagged"), [(80, False), (80.5, True), (100, True)])
def test_above_80_mg_day(dose, flagged):
    assert ("above_80_mg_day" in flag_codes(dose, 100)) is flagged


def test_heavy_patient_capped_at_80_not_weight():
    # 95 kg × 1.0 = 95 mg is within mg/kg but above the 80 mg/day maximum.
    assert flag_codes(95, 95) == ["above_80_mg_day"]
    assert flag_codes(90, 60) == ["above_1_mg_per_kg", "above_80_mg_day"]


@pytest.mark.parametrize(("dose", "flagged"), [(4.9, False), (5, True), (5.01, True), (0, False)])
def test_month6_must_be_below_5(dose, flagged):
    assert ("month6_not_below_5_mg_day" in flag_codes(dose, 60, at_month6=True)) is flagged


def test_month6_flag_only_at_month6():
    assert flag_codes(10, 60, at_month6=False) == []


def test_flag_messages_are_readable():
    (flag,) = prednisone_flags(7.5, 60, True)
    assert flag.message == "Dose 7.5 mg/day at month 6 is not below 5 mg/day."
    (flag,) = prednisone_flags(70, 60, False)
    assert "1.0 mg/kg/day" in flag.message and "60" in flag.message


@pytest.mark.parametrize(
    ("dose", "weight"), [(-1, 60), (float("nan"), 60), (10, 0), (10, 10), (10, float("inf"))]
)
def test_invalid_input(dose, weight):
    with pytest.raises(ValueError):
        prednisone_flags(dose, weight, False)
