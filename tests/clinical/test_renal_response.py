"""KDIGO 2024 renal response (docs/DECISIONS.md: renal response; docs/DOMAIN.md §2.1)."""

import math

import pytest

from edc.clinical.renal_response import ResponseCategory, renal_response


def category(baseline_upcr, upcr, baseline_egfr=80.0, egfr=80.0, **kw):
    return renal_response(baseline_upcr, baseline_egfr, upcr, egfr, **kw).category


@pytest.mark.parametrize(
    ("upcr", "expected"),
    [(0.49, "complete"), (0.499999, "complete"), (0.5, "partial"), (0.51, "partial")],
)
def test_complete_needs_upcr_strictly_below_half(upcr, expected):
    assert category(4.0, upcr) == expected


@pytest.mark.parametrize(
    ("baseline", "upcr", "expected"),
    [(8.0, 2.99, "partial"), (8.0, 3.0, "none"), (6.0, 3.0, "none"), (6.02, 3.01, "none")],
)
def test_partial_needs_upcr_strictly_below_3(baseline, upcr, expected):
    assert category(baseline, upcr) == expected


@pytest.mark.parametrize(
    ("baseline", "upcr", "expected"),
    [
        (2.0, 1.0, "partial"),  # exactly 50 %
        (3.3, 1.65, "partial"),  # exactly 50 %; float (3.3-1.65)/3.3 is 0.49999999999999994
        (0.7, 0.35, "complete"),
        (2.2, 1.1, "partial"),  # exactly 50 %
        (2.0, 1.0001, "none"),  # just under 50 %
        (3.3, 1.6501, "none"),
        (2.0, 0.9999, "partial"),
    ],
)
def test_exact_half_reduction_counts(baseline, upcr, expected):
    assert category(baseline, upcr) == expected


def test_float_arithmetic_really_would_miss_the_egfr_edge():
    # Guard that the Decimal handling matters: in float, (1 − 0.15) × 39.6 = 33.660000000000004,
    # so an eGFR of exactly 85 % (33.66) would wrongly fail the stability condition.
    assert (1 - 0.15) * 39.6 > 33.66
    assert category(2.0, 0.3, baseline_egfr=39.6, egfr=33.66) == "complete"
    assert category(2.0, 0.3, baseline_egfr=39.6, egfr=33.659) == "none"


@pytest.mark.parametrize(
    ("egfr", "expected"),
    [(85.0, "complete"), (84.99, "none"), (85.01, "complete"), (120.0, "complete")],
)
def test_egfr_tolerance_boundary_default_15_percent(egfr, expected):
    assert category(2.0, 0.3, baseline_egfr=100.0, egfr=egfr) == expected


@pytest.mark.parametrize(("egfr", "expected"), [(90.0, "partial"), (89.9, "none")])
def test_egfr_tolerance_010(egfr, expected):
    assert category(2.0, 1.0, baseline_egfr=100.0, egfr=egfr, tolerance=0.10) == expected


def test_egfr_exactly_at_limit_with_awkward_baseline():
    # (1 − 0.15) × 73.3 = 62.305 exactly in decimal; float gives 62.30499999999999.
    assert category(2.0, 0.3, baseline_egfr=73.3, egfr=62.305) == "complete"
    assert category(2.0, 0.3, baseline_egfr=73.3, egfr=62.304) == "none"


def test_egfr_fall_downgrades_complete_to_none_not_partial():
    assert category(4.0, 0.2, baseline_egfr=60, egfr=40) == "none"


def test_no_reduction_is_none():
    assert category(1.2, 1.4) == "none"


def test_low_baseline_upcr_reaching_below_half():
    # Baseline 0.8 → 0.45: < 0.5 with stable eGFR is complete even though reduction is 44 %.
    assert category(0.8, 0.45) == "complete"


def test_result_numbers_and_rules():
    r = renal_response(4.0, 80.0, 1.0, 76.0)
    assert r.category == "partial"
    assert r.category is ResponseCategory.PARTIAL
    assert str(r.category) == f"{r.category}" == "partial"  # safe to store in a CharField
    assert r.responded is True
    assert r.upcr_reduction_pct == pytest.approx(75.0, abs=1e-9)
    assert r.egfr_ratio == pytest.approx(0.95, abs=1e-12)
    assert r.egfr_stable is True
    assert r.rules[-1].startswith("Partial response")
    assert any("UPCR reduction 75.0%" in line for line in r.rules)
    assert any("85% of baseline 80" in line and "limit 68" in line for line in r.rules)


def test_negative_reduction_when_upcr_rises():
    r = renal_response(1.0, 80.0, 1.5, 80.0)
    assert r.upcr_reduction_pct == pytest.approx(-50.0, abs=1e-9)
    assert r.responded is False
    assert r.rules[-1].startswith("No renal response")


def test_zero_follow_up_upcr_is_complete():
    assert category(3.0, 0.0) == "complete"


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((0, 80, 0.3, 80), "Baseline UPCR"),
        ((-1, 80, 0.3, 80), "Baseline UPCR"),
        ((2.0, 0, 0.3, 80), "Baseline eGFR"),
        ((2.0, -5, 0.3, 80), "Baseline eGFR"),
        ((math.nan, 80, 0.3, 80), "Baseline UPCR"),
        ((2.0, 80, -0.1, 80), "UPCR"),
        ((2.0, 80, math.inf, 80), "UPCR"),
        ((2.0, 80, 0.3, -1), "eGFR"),
    ],
)
def test_invalid_values(args, match):
    with pytest.raises(ValueError, match=match):
        renal_response(*args)


@pytest.mark.parametrize("tol", [-0.1, 1.0, 1.5, math.nan])
def test_invalid_tolerance(tol):
    with pytest.raises(ValueError, match="Tolerance"):
        renal_response(2.0, 80, 0.3, 80, tolerance=tol)
