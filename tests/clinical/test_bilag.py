"""BILAG-2004 renal grade (docs/DOMAIN.md §4, glossary wording)."""

import pytest

from edc.clinical.bilag import BilagRenalInput, bilag_numeric_score, bilag_renal_grade


def grade(**kwargs):
    return bilag_renal_grade(BilagRenalInput(**kwargs))


def codes(**kwargs):
    return {f.code for f in grade(**kwargs).features}


def test_never_involved_is_e():
    result = grade()
    assert result.grade == "E"
    assert result.score == 0


def test_previous_involvement_only_is_d():
    result = grade(previous_renal_involvement=True)
    assert result.grade == "D"
    assert [f.code for f in result.features] == ["previous_involvement"]


def test_two_a_items_including_proteinuria_is_a():
    result = grade(upcr_mg_mmol=150, active_urinary_sediment=True)
    assert result.grade == "A"
    assert result.score == 12
    assert {f.code for f in result.features} == {"proteinuria_severe", "active_urinary_sediment"}
    assert "UPCR 150 mg/mmol > 100" in result.features[0].reason


def test_sediment_plus_histology_is_a():
    assert grade(active_urinary_sediment=True, histological_active_nephritis=True).grade == "A"


def test_two_a_items_without_1_4_or_5_is_only_b():
    # Accelerated hypertension (#2) + nephrotic syndrome (#6): A needs #1, #4 or #5 among them.
    result = grade(accelerated_hypertension=True, nephrotic_syndrome=True)
    assert result.grade == "B"
    assert {f.code for f in result.features} == {"accelerated_hypertension", "nephrotic_syndrome"}


@pytest.mark.parametrize(
    "kwargs",
    [
        {"active_urinary_sediment": True},
        {"histological_active_nephritis": True},
        {"nephrotic_syndrome": True},
        {"accelerated_hypertension": True},
        {"urine_protein_24h_g": 3.0},
    ],
)
def test_single_a_item_is_b(kwargs):
    assert grade(**kwargs).grade == "B"


@pytest.mark.parametrize(
    ("upcr", "expected"),
    [(100, "B"), (100.1, "A")],  # A needs UPCR > 100 mg/mmol
)
def test_upcr_a_threshold_strict(upcr, expected):
    assert grade(upcr_mg_mmol=upcr, active_urinary_sediment=True).grade == expected


@pytest.mark.parametrize(("uacr", "expected"), [(100, "B"), (101, "A")])
def test_uacr_a_threshold_strict(uacr, expected):
    assert grade(uacr_mg_mmol=uacr, active_urinary_sediment=True).grade == expected


@pytest.mark.parametrize(("g", "expected"), [(1.0, "B"), (1.01, "A")])
def test_24h_a_threshold_strict(g, expected):
    assert grade(urine_protein_24h_g=g, active_urinary_sediment=True).grade == expected


@pytest.mark.parametrize(
    ("now", "previous", "expected"),
    [(150, 200, "B"), (150.01, 200, "A"), (160, 200, "A"), (120, 200, "B")],
)
def test_25_percent_improvement_removes_severe_proteinuria(now, previous, expected):
    # Exactly 25 % lower counts as improved (≥25 %), so proteinuria is no longer an A item.
    result = grade(upcr_mg_mmol=now, upcr_mg_mmol_previous=previous, active_urinary_sediment=True)
    assert result.grade == expected


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"urine_protein_24h_g": 0.5}, "B"),
        ({"urine_protein_24h_g": 0.49}, "C"),
        ({"urine_protein_24h_g": 0.26}, "C"),
        ({"urine_protein_24h_g": 0.25}, "E"),
        ({"upcr_mg_mmol": 50}, "B"),
        ({"upcr_mg_mmol": 49.9}, "C"),
        ({"upcr_mg_mmol": 25}, "E"),
        ({"upcr_mg_mmol": 25.1}, "C"),
        ({"uacr_mg_mmol": 50}, "B"),
        ({"uacr_mg_mmol": 25.1}, "C"),
        ({"uacr_mg_mmol": 25}, "E"),
    ],
)
def test_moderate_and_mild_proteinuria_thresholds(kwargs, expected):
    assert grade(**kwargs).grade == expected


def test_moderate_proteinuria_improved_falls_to_c():
    assert grade(upcr_mg_mmol=60, upcr_mg_mmol_previous=80).grade == "C"  # exactly −25 %
    assert grade(upcr_mg_mmol=61, upcr_mg_mmol_previous=80).grade == "B"


def test_mild_proteinuria_needs_no_stability():
    # Not the LEGACY quirk: C does not require that proteinuria did not fall.
    assert grade(upcr_mg_mmol=30, upcr_mg_mmol_previous=90).grade == "C"


@pytest.mark.parametrize(
    ("now", "previous", "expected"),
    [
        (3, 1, "A"),
        (2, 0, "A"),
        (2, 1, "B"),
        (3, 2, "B"),
        (1, 0, "C"),
        (1, None, "C"),
        (3, None, "C"),
        (0, 0, "E"),
        (1, 3, "C"),
    ],
)
def test_dipstick_when_no_quantitative_measure(now, previous, expected):
    result = grade(
        dipstick_protein=now,
        dipstick_protein_previous=previous,
        histological_active_nephritis=expected == "A",
    )
    assert result.grade == expected


def test_dipstick_ignored_when_quantitative_available():
    # UPCR 20 mg/mmol (below C) wins over a dipstick risen from 0 to 3+.
    result = grade(upcr_mg_mmol=20, dipstick_protein=3, dipstick_protein_previous=0)
    assert result.grade == "E"


@pytest.mark.parametrize(
    ("creatinine", "previous", "expected_codes"),
    [
        (169, 130, {"renal_function_severe"}),  # exactly 130 % of previous
        (168.9, 130, {"creatinine_rise_moderate"}),
        (149.5, 130, {"creatinine_rise_moderate"}),  # exactly 115 %
        (149.4, 130, {"never_involved"}),
        (130, 100, {"never_involved"}),  # must be > 130 µmol/L
        (200, None, {"never_involved"}),  # no previous value: no rise can be shown
    ],
)
def test_creatinine_rise(creatinine, previous, expected_codes):
    assert (
        codes(creatinine_umol_l=creatinine, creatinine_umol_l_previous=previous) == expected_codes
    )


def test_creatinine_rise_plus_sediment_is_a():
    assert (
        grade(
            creatinine_umol_l=200, creatinine_umol_l_previous=140, active_urinary_sediment=True
        ).grade
        == "A"
    )


@pytest.mark.parametrize(
    ("gfr", "previous", "severe"),
    [
        (53.6, 80, True),  # exactly 67 % of previous, < 80
        (53.7, 80, False),
        (79, 120, True),
        (80, 120, False),  # must be < 80
        (49, None, True),  # < 50, previously not measured
        (49, 51, True),  # < 50, previously > 50
        (49, 50, False),  # previous exactly 50 is not > 50
        (50, 100, True),  # 50 ≤ 67 % of 100 and < 80
    ],
)
def test_gfr_deterioration(gfr, previous, severe):
    assert ("renal_function_severe" in codes(gfr=gfr, gfr_previous=previous)) is severe


@pytest.mark.parametrize(
    ("bp", "previous", "expected"),
    [
        ((170, 105), (140, 90), "C"),  # rises exactly 30 / 15
        ((141, 91), (111, 76), "C"),
        ((170, 105), (141, 90), "E"),  # systolic rise 29
        ((170, 105), (140, 91), "E"),  # diastolic rise 14
        ((140, 105), (100, 80), "E"),  # systolic not > 140
        ((170, 90), (130, 70), "E"),  # diastolic not > 90
    ],
)
def test_blood_pressure_rise(bp, previous, expected):
    result = grade(
        systolic_bp=bp[0],
        diastolic_bp=bp[1],
        systolic_bp_previous=previous[0],
        diastolic_bp_previous=previous[1],
    )
    assert result.grade == expected


def test_bp_without_previous_is_not_a_rise():
    assert grade(systolic_bp=190, diastolic_bp=120).grade == "E"


def test_current_features_beat_previous_involvement():
    assert grade(upcr_mg_mmol=30, previous_renal_involvement=True).grade == "C"


def test_severe_proteinuria_not_listed_twice_in_b():
    assert codes(upcr_mg_mmol=300) == {"proteinuria_severe"}


@pytest.mark.parametrize(("g", "score"), [("A", 12), ("B", 8), ("C", 1), ("D", 0), ("E", 0)])
def test_numeric_score(g, score):
    assert bilag_numeric_score(g) == score


@pytest.mark.parametrize("g", ["a", "F", "", "AB"])
def test_numeric_score_refuses_unknown_grade(g):
    with pytest.raises(ValueError, match="A-E"):
        bilag_numeric_score(g)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"dipstick_protein": 4},
        {"dipstick_protein": -1},
        {"dipstick_protein_previous": True},
        {"dipstick_protein": 1.5},
        {"systolic_bp": -120},
        {"upcr_mg_mmol": float("nan")},
        {"creatinine_umol_l": float("inf")},
    ],
)
def test_invalid_input(kwargs):
    with pytest.raises(ValueError):
        BilagRenalInput(**kwargs)


@pytest.mark.parametrize(
    "kwargs", [{"systolic_bp": True}, {"nephrotic_syndrome": None}, {"upcr_mg_mmol": "120"}]
)
def test_wrong_types(kwargs):
    with pytest.raises(TypeError):
        BilagRenalInput(**kwargs)


def test_decimal_inputs_from_forms_are_accepted():
    from decimal import Decimal

    result = grade(
        systolic_bp=Decimal(170),
        systolic_bp_previous=140.0,
        diastolic_bp=Decimal(105),
        diastolic_bp_previous=90,
        upcr_mg_mmol=Decimal("30.5"),
    )
    assert result.grade == "C"
    assert {f.code for f in result.features} == {"proteinuria_mild", "bp_rise"}
