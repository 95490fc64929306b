"""Modified NIH activity/chronicity indices (Bajema 2018, docs/DOMAIN.md §5.2) and ISN/RPS classes."""

import pytest

from edc.clinical.nih import (
    ELIGIBLE_BIOPSY_CLASSES,
    ISN_RPS_CLASSES,
    MAX_ACTIVITY,
    MAX_CHRONICITY,
    component_score_from_percent,
    nih_activity_index,
    nih_chronicity_index,
)

ACTIVITY_ZERO = {
    "endocapillary_hypercellularity": 0,
    "neutrophils_karyorrhexis": 0,
    "fibrinoid_necrosis": 0,
    "hyaline_deposits": 0,
    "cellular_fibrocellular_crescents": 0,
    "interstitial_inflammation": 0,
}
CHRONICITY_ZERO = {
    "total_glomerulosclerosis": 0,
    "fibrous_crescents": 0,
    "tubular_atrophy": 0,
    "interstitial_fibrosis": 0,
}


def test_worked_example_ai_12_ci_3():
    ai = nih_activity_index(
        endocapillary_hypercellularity=3,
        neutrophils_karyorrhexis=2,
        fibrinoid_necrosis=1,
        hyaline_deposits=1,
        cellular_fibrocellular_crescents=1,
        interstitial_inflammation=2,
    )
    ci = nih_chronicity_index(
        total_glomerulosclerosis=1, fibrous_crescents=0, tubular_atrophy=1, interstitial_fibrosis=1
    )
    assert (ai, ci) == (12, 3)


def test_maxima():
    assert MAX_ACTIVITY == 24 and MAX_CHRONICITY == 12
    assert nih_activity_index(**{k: 3 for k in ACTIVITY_ZERO}) == 24
    assert nih_chronicity_index(**{k: 3 for k in CHRONICITY_ZERO}) == 12
    assert nih_activity_index(**ACTIVITY_ZERO) == 0
    assert nih_chronicity_index(**CHRONICITY_ZERO) == 0


@pytest.mark.parametrize(
    ("component", "weight"),
    [
        ("endocapillary_hypercellularity", 1),
        ("neutrophils_karyorrhexis", 1),
        ("fibrinoid_necrosis", 2),
        ("hyaline_deposits", 1),
        ("cellular_fibrocellular_crescents", 2),
        ("interstitial_inflammation", 1),
    ],
)
def test_activity_weights(component, weight):
    assert nih_activity_index(**{**ACTIVITY_ZERO, component: 1}) == weight


@pytest.mark.parametrize("component", list(CHRONICITY_ZERO))
def test_chronicity_weights_are_one(component):
    assert nih_chronicity_index(**{**CHRONICITY_ZERO, component: 2}) == 2


@pytest.mark.parametrize("bad", [-1, 4, 1.5, True, None, "2"])
def test_component_outside_0_3(bad):
    with pytest.raises(ValueError, match="0-3"):
        nih_activity_index(**{**ACTIVITY_ZERO, "fibrinoid_necrosis": bad})
    with pytest.raises(ValueError, match="0-3"):
        nih_chronicity_index(**{**CHRONICITY_ZERO, "tubular_atrophy": bad})


def test_missing_component_is_a_type_error():
    with pytest.raises(TypeError):
        nih_chronicity_index(total_glomerulosclerosis=1, fibrous_crescents=0, tubular_atrophy=1)


@pytest.mark.parametrize(
    ("percent", "score"),
    [(0, 0), (0.1, 1), (24.9, 1), (25, 2), (50, 2), (50.1, 3), (100, 3)],
)
def test_component_score_from_percent(percent, score):
    assert component_score_from_percent(percent) == score


@pytest.mark.parametrize("percent", [-1, 100.1, float("nan")])
def test_component_percent_out_of_range(percent):
    with pytest.raises(ValueError):
        component_score_from_percent(percent)


def test_classes():
    assert ELIGIBLE_BIOPSY_CLASSES == {"III", "IV", "V", "III+V", "IV+V"}
    assert set(ELIGIBLE_BIOPSY_CLASSES) <= set(ISN_RPS_CLASSES)
    for excluded in ("I", "II", "VI"):
        assert excluded in ISN_RPS_CLASSES and excluded not in ELIGIBLE_BIOPSY_CLASSES
