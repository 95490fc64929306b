"""docs/DECISIONS.md: units (creatinine ÷ 88.4; UPCR mg/mmol ÷ 113.12, mg/g ÷ 1000)."""

import math
from decimal import Decimal

import pytest

from edc.clinical.units import (
    CREATININE_UNITS,
    UPCR_UNITS,
    creatinine_to_mg_dl,
    creatinine_to_umol_l,
    upcr_g_g_to_mg_mmol,
    upcr_to_g_g,
)


def test_unit_tuples_for_form_choices():
    assert CREATININE_UNITS == ("umol/L", "mg/dL")
    assert UPCR_UNITS == ("g/g", "mg/mmol", "mg/g", "mg/mg")


def test_creatinine_umol_to_mg_dl_uses_88_4():
    assert creatinine_to_mg_dl(88.4, "umol/L") == pytest.approx(1.0, abs=1e-12)
    assert creatinine_to_mg_dl(80, "umol/L") == pytest.approx(0.904977, abs=1e-6)
    assert creatinine_to_mg_dl(2652, "umol/L") == pytest.approx(30.0, abs=1e-12)


def test_creatinine_mg_dl_passes_through():
    assert creatinine_to_mg_dl(1.2, "mg/dL") == 1.2


def test_creatinine_to_umol_l():
    assert creatinine_to_umol_l(1.0, "mg/dL") == pytest.approx(88.4, abs=1e-12)
    assert creatinine_to_umol_l(150, "umol/L") == 150


def test_creatinine_round_trip():
    assert creatinine_to_umol_l(creatinine_to_mg_dl(137, "umol/L"), "mg/dL") == pytest.approx(
        137, abs=1e-9
    )


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (1.5, "g/g", 1.5),
        (1.5, "mg/mg", 1.5),
        (113.12, "mg/mmol", 1.0),
        (56.56, "mg/mmol", 0.5),
        (339.36, "mg/mmol", 3.0),
        (500, "mg/g", 0.5),
        (0, "g/g", 0.0),
    ],
)
def test_upcr_to_g_g(value, unit, expected):
    assert upcr_to_g_g(value, unit) == pytest.approx(expected, abs=1e-12)


def test_kdigo_rounded_mg_mmol_is_not_exactly_half_g_g():
    # docs/DOMAIN.md §2.1: KDIGO's "50 mg/mmol" is a rounded equivalent of 0.5 g/g (56.6 exact).
    assert upcr_to_g_g(50, "mg/mmol") == pytest.approx(0.44201, abs=1e-5)


def test_upcr_g_g_to_mg_mmol():
    assert upcr_g_g_to_mg_mmol(0.5) == pytest.approx(56.56, abs=1e-9)


@pytest.mark.parametrize("unit", ["mmol/L", "µmol/L", "UMOL/L", "", "mg/dl"])
def test_unknown_creatinine_unit(unit):
    with pytest.raises(ValueError, match="Unknown creatinine unit"):
        creatinine_to_mg_dl(80, unit)
    with pytest.raises(ValueError, match="Unknown creatinine unit"):
        creatinine_to_umol_l(80, unit)


@pytest.mark.parametrize("unit", ["g/L", "mg/24h", "G/G", ""])
def test_unknown_upcr_unit(unit):
    with pytest.raises(ValueError, match="Unknown UPCR unit"):
        upcr_to_g_g(1.0, unit)


@pytest.mark.parametrize("value", [0, -1, -0.0001, math.nan, math.inf, -math.inf])
def test_creatinine_must_be_positive_and_finite(value):
    with pytest.raises(ValueError, match="Creatinine"):
        creatinine_to_mg_dl(value, "umol/L")
    with pytest.raises(ValueError, match="Creatinine"):
        creatinine_to_umol_l(value, "mg/dL")


@pytest.mark.parametrize("value", [-0.01, math.nan, math.inf])
def test_upcr_must_be_non_negative_and_finite(value):
    with pytest.raises(ValueError, match="UPCR"):
        upcr_to_g_g(value, "g/g")


@pytest.mark.parametrize("value", [None, "1.0", True])
def test_non_numbers_refused(value):
    with pytest.raises(TypeError, match="must be a number"):
        creatinine_to_mg_dl(value, "mg/dL")


def test_decimal_from_django_forms_accepted():
    assert creatinine_to_mg_dl(Decimal("88.4"), "umol/L") == pytest.approx(1.0, abs=1e-12)
    assert upcr_to_g_g(Decimal("56.56"), "mg/mmol") == pytest.approx(0.5, abs=1e-12)
    with pytest.raises(ValueError, match="finite"):
        upcr_to_g_g(Decimal("NaN"), "g/g")
