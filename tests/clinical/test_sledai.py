"""SLEDAI-2K descriptors, totals and lab suggestions (docs/DOMAIN.md §3)."""

import math

import pytest

from edc.clinical.sledai import (
    DESCRIPTORS,
    DESCRIPTORS_BY_CODE,
    MAX_TOTAL,
    RENAL_CODES,
    renal_subscore,
    sledai_2k_total,
    suggest_from_labs,
)

try:
    from hypothesis import given
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover
    given = None

ALL_CODES = [d.code for d in DESCRIPTORS]


def test_24_descriptors_with_unique_codes():
    assert len(DESCRIPTORS) == 24
    assert len(set(ALL_CODES)) == 24


def test_weights_sum_to_105():
    assert sum(d.weight for d in DESCRIPTORS) == 105 == MAX_TOTAL


def test_weight_distribution_8x8_6x4_7x2_3x1():
    weights = [d.weight for d in DESCRIPTORS]
    assert weights == [8] * 8 + [4] * 6 + [2] * 7 + [1] * 3


@pytest.mark.parametrize(
    ("code", "weight"),
    [
        ("seizure", 8),
        ("psychosis", 8),
        ("vasculitis", 8),
        ("arthritis", 4),
        ("myositis", 4),
        ("urinary_casts", 4),
        ("haematuria", 4),
        ("proteinuria", 4),
        ("pyuria", 4),
        ("rash", 2),
        ("pleurisy", 2),
        ("low_complement", 2),
        ("dna_binding", 2),
        ("fever", 1),
        ("thrombocytopenia", 1),
        ("leukopenia", 1),
    ],
)
def test_individual_weights(code, weight):
    assert DESCRIPTORS_BY_CODE[code].weight == weight


def test_every_descriptor_has_both_labels_and_definition():
    for d in DESCRIPTORS:
        assert d.label_en and d.label_zh and d.definition_en


def test_total_examples():
    assert sledai_2k_total([]) == 0
    assert sledai_2k_total(["proteinuria", "low_complement", "dna_binding"]) == 8
    assert sledai_2k_total(["seizure", "arthritis", "rash", "fever"]) == 15
    assert sledai_2k_total(ALL_CODES) == 105


def test_duplicates_count_once():
    assert sledai_2k_total(["proteinuria", "proteinuria"]) == 4


def test_unknown_code():
    with pytest.raises(ValueError, match="'hematuria_typo'"):
        sledai_2k_total(["proteinuria", "hematuria_typo"])
    with pytest.raises(ValueError, match="Unknown"):
        renal_subscore(["nephritis"])


def test_single_string_refused():
    with pytest.raises(TypeError):
        sledai_2k_total("fever")


def test_renal_subscore():
    assert RENAL_CODES == ("urinary_casts", "haematuria", "proteinuria", "pyuria")
    assert renal_subscore(ALL_CODES) == 16
    assert renal_subscore(["proteinuria", "haematuria", "rash", "fever"]) == 8
    assert renal_subscore(["rash"]) == 0


def test_no_labs_no_suggestion():
    assert suggest_from_labs() == frozenset()


@pytest.mark.parametrize(("g", "expected"), [(0.49, False), (0.5, False), (0.51, True)])
def test_proteinuria_24h_strictly_above_half_gram(g, expected):
    assert ("proteinuria" in suggest_from_labs(urine_protein_24h_g=g)) is expected


@pytest.mark.parametrize(("upcr", "expected"), [(0.5, False), (0.500001, True), (0.3, False)])
def test_proteinuria_from_upcr_when_no_24h(upcr, expected):
    assert ("proteinuria" in suggest_from_labs(upcr_g_g=upcr)) is expected


def test_24h_collection_takes_precedence_over_upcr():
    assert "proteinuria" not in suggest_from_labs(urine_protein_24h_g=0.4, upcr_g_g=0.9)
    assert "proteinuria" in suggest_from_labs(urine_protein_24h_g=0.6, upcr_g_g=0.2)


@pytest.mark.parametrize(("cells", "expected"), [(4, False), (5, False), (5.5, True), (6, True)])
def test_haematuria_and_pyuria_above_5_per_hpf(cells, expected):
    assert ("haematuria" in suggest_from_labs(urine_rbc_per_hpf=cells)) is expected
    assert ("pyuria" in suggest_from_labs(urine_wbc_per_hpf=cells)) is expected


def test_casts():
    assert suggest_from_labs(urinary_casts=True) == {"urinary_casts"}
    assert suggest_from_labs(urinary_casts=False) == frozenset()


@pytest.mark.parametrize(
    ("c3", "c4", "expected"),
    [(0.9, 0.2, False), (0.89, 0.2, True), (0.9, 0.09, True), (1.2, 0.1, False)],
)
def test_low_complement_below_lower_limit(c3, c4, expected):
    codes = suggest_from_labs(c3=c3, c3_lower_limit=0.9, c4=c4, c4_lower_limit=0.1)
    assert ("low_complement" in codes) is expected


def test_complement_without_limit_is_an_error():
    with pytest.raises(ValueError, match="C3 was given without"):
        suggest_from_labs(c3=0.5)
    with pytest.raises(ValueError, match="C4 was given without"):
        suggest_from_labs(c3=0.5, c3_lower_limit=0.9, c4=0.05)


@pytest.mark.parametrize(("dsdna", "expected"), [(100, False), (100.1, True), (20, False)])
def test_dna_binding_above_upper_limit(dsdna, expected):
    codes = suggest_from_labs(anti_dsdna=dsdna, anti_dsdna_upper_limit=100)
    assert ("dna_binding" in codes) is expected


def test_dsdna_without_limit_is_an_error():
    with pytest.raises(ValueError, match="upper limit"):
        suggest_from_labs(anti_dsdna=300)


@pytest.mark.parametrize(("platelets", "expected"), [(99.9, True), (100, False), (150, False)])
def test_thrombocytopenia_below_100(platelets, expected):
    assert ("thrombocytopenia" in suggest_from_labs(platelets_10e9_l=platelets)) is expected


@pytest.mark.parametrize(("wbc", "expected"), [(2.99, True), (3.0, False), (4.5, False)])
def test_leukopenia_below_3(wbc, expected):
    assert ("leukopenia" in suggest_from_labs(wbc_10e9_l=wbc)) is expected


def test_full_panel():
    codes = suggest_from_labs(
        urine_protein_24h_g=2.1,
        urine_rbc_per_hpf=12,
        urine_wbc_per_hpf=8,
        urinary_casts=True,
        c3=0.5,
        c3_lower_limit=0.9,
        c4=0.2,
        c4_lower_limit=0.1,
        anti_dsdna=250,
        anti_dsdna_upper_limit=100,
        platelets_10e9_l=80,
        wbc_10e9_l=2.5,
    )
    assert codes == {
        "proteinuria",
        "haematuria",
        "pyuria",
        "urinary_casts",
        "low_complement",
        "dna_binding",
        "thrombocytopenia",
        "leukopenia",
    }
    assert sledai_2k_total(codes) == 4 * 4 + 2 + 2 + 1 + 1


@pytest.mark.parametrize("bad", [-1, math.nan, math.inf])
def test_bad_lab_values(bad):
    with pytest.raises(ValueError):
        suggest_from_labs(platelets_10e9_l=bad)
    with pytest.raises(ValueError):
        suggest_from_labs(upcr_g_g=bad)


if given is not None:

    @given(st.sets(st.sampled_from(ALL_CODES)))
    def test_total_in_range_and_at_least_renal(codes):
        total = sledai_2k_total(codes)
        assert 0 <= total <= 105
        assert 0 <= renal_subscore(codes) <= min(16, total)
        assert total == sum(DESCRIPTORS_BY_CODE[c].weight for c in codes)
