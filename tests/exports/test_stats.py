"""exports.stats / exports.survival against small examples computed by hand (protocol 2.14–2.15). No database.

Run: .venv/bin/python -m pytest tests/exports/test_stats.py -q -p no:django --noconftest
"""

import io
import math
from fractions import Fraction
from math import comb

import numpy as np
import pytest
from PIL import Image
from scipy import stats as sps

from exports.stats import (
    Comparison,
    cmh,
    compare_continuous,
    compare_proportions,
    describe,
    format_p,
    normality_p,
    table_from_counts,
)
from exports.survival import kaplan_meier, km_figure_png, logrank, median_survival


def chi2_1df_p(x):
    # P(χ²₁ > x) = P(|Z| > √x) = erfc(√(x/2)) — independent of scipy.
    return math.erfc(math.sqrt(x / 2))


def normal_two_sided_p(z):
    return math.erfc(abs(z) / math.sqrt(2))


# ---------------------------------------------------------------- format_p


@pytest.mark.parametrize(
    ("p", "text"),
    [(0.0004, "< .001"), (0.00099, "< .001"), (0.001, ".001"), (0.0341, ".034"), (0.05, ".050"),
     (0.4999, ".500"), (0.9996, "1.000"), (1.0, "1.000"), (None, "—"), (float("nan"), "—")],
)
def test_format_p(p, text):
    assert format_p(p) == text


def test_format_p_rejects_impossible_values():
    with pytest.raises(ValueError):
        format_p(1.2)
    with pytest.raises(ValueError):
        format_p(-0.01)


def test_significance_is_decided_on_the_unrounded_p():
    # .0496 prints as ".050" but is significant; .0504 prints ".050" and is not.
    assert Comparison("x", 1.0, 0.0496).significant
    assert not Comparison("x", 1.0, 0.0504).significant
    assert not Comparison("x", None, None).significant


# ---------------------------------------------------------------- describe


def test_describe_small_sample_by_hand():
    d = describe([2, 4, 4, 4, 5, 5, 7, 9, None, float("nan")])
    assert (d.n, d.missing) == (8, 2)
    # mean = 40 / 8 = 5
    assert d.mean == pytest.approx(5.0)
    # squared deviations 9+1+1+1+0+0+4+16 = 32; SD (n − 1) = √(32/7) = 2.13809
    assert d.sd == pytest.approx(math.sqrt(32 / 7))
    # median = (x4 + x5)/2 = (4 + 5)/2
    assert d.median == pytest.approx(4.5)
    # SPSS quartiles at position (n+1)p: Q1 at 2.25 → x2 + .25(x3 − x2) = 4 + 0 = 4;
    # Q3 at 6.75 → x6 + .75(x7 − x6) = 5 + .75·2 = 6.5 (numpy's default "linear" would give 4 and 5.5)
    assert (d.q1, d.q3) == (pytest.approx(4.0), pytest.approx(6.5))
    assert (d.min, d.max) == (2.0, 9.0)
    # KS: D by hand is max over i of i/n − F(x_i) and F(x_i) − (i − 1)/n, F = Φ((x − 5)/2.138)
    assert d.normal and d.ks_p >= 0.05
    # typical value 4.5 → 3 significant figures → 2 decimals
    assert d.text == "5.00 ± 2.14"


def test_ks_p_is_plain_kolmogorov_with_estimated_mean_and_sd():
    x = np.array([1.0, 1.2, 1.3, 1.9, 2.4, 3.1, 4.8, 7.5, 12.0, 20.0])
    n, mean, sd = x.size, x.mean(), x.std(ddof=1)
    f = sps.norm.cdf((np.sort(x) - mean) / sd)
    i = np.arange(1, n + 1)
    d = max(np.max(i / n - f), np.max(f - (i - 1) / n))
    lam = math.sqrt(n) * d
    # Kolmogorov's limiting distribution: P(K > λ) = 2 Σ (−1)^(k−1) exp(−2k²λ²)
    p_hand = 2 * sum((-1) ** (k - 1) * math.exp(-2 * k * k * lam * lam) for k in range(1, 101))
    assert normality_p(x) == pytest.approx(p_hand, abs=1e-9)
    # Lilliefors (opt-in) is a different, stricter P
    assert normality_p(x, lilliefors=True) < normality_p(x)


def test_ks_decision_normal_versus_skewed():
    z = sps.norm.ppf((np.arange(1, 41) - 0.5) / 40)  # perfectly normal quantiles
    normal = describe(list(10 + 2 * z))
    assert normal.normal and normal.text == "10.0 ± 2.0"
    skewed = describe([1] * 12 + [2] * 6 + [3] * 3 + [4, 6, 9, 15, 30])  # like UPCR: long right tail
    assert not skewed.normal and skewed.ks_p < 0.05
    # median of 26 = (x13 + x14)/2 = 2; Q1 at 6.75 → 1; Q3 at 20.25 → x20 + .25(x21 − x20) = 3
    assert skewed.text == "2.00 [1.00, 3.00]"


def test_describe_not_testable_cases():
    two = describe([3.0, 5.0])  # n < 3: no KS, median [IQR]
    assert two.ks_p is None and not two.normal and two.text.startswith("4.00 [")
    constant = describe([7, 7, 7, 7])  # SD 0: no KS
    assert constant.ks_p is None and constant.text == "7.00 [7.00, 7.00]"
    empty = describe([None, None])
    assert (empty.n, empty.missing, empty.text, empty.mean) == (0, 2, "—", None)
    assert describe([85.0, 90.0, 75.0, 80.0], decimals=0).text == "82 ± 6"


# ---------------------------------------------------------------- continuous comparison


def test_welch_t_test_by_hand():
    c = compare_continuous([1, 2, 3, 4, 5], [3, 4, 5, 6, 7])
    assert c.test == "t-test"
    # means 3 and 5, both variances 2.5; SE = √(2.5/5 + 2.5/5) = 1; t = (3 − 5)/1 = −2
    assert c.statistic == pytest.approx(-2.0)
    # Welch df = (0.5 + 0.5)² / (0.5²/4 + 0.5²/4) = 1 / 0.125 = 8
    assert c.df == pytest.approx(8.0)
    assert c.p == pytest.approx(2 * sps.t.sf(2.0, 8))  # = .0805
    assert c.p_text == ".081"
    # CI = −2 ± t(.975, 8)·1 = −2 ± 2.306
    assert c.estimate == pytest.approx(-2.0)
    assert c.ci == (pytest.approx(-2 - 2.306004), pytest.approx(-2 + 2.306004))


def test_mann_whitney_by_hand_with_a_tie():
    # a = [2, 6] (n < 3: normality not testable → non-parametric), b = [1, 2, 3, 4, 5]
    c = compare_continuous([2, 6], [1, 2, 3, 4, 5])
    assert c.test == "Mann–Whitney U"
    # U_a = pairs with a > b (+½ per tie): 2 beats 1 and ties 2 → 1.5; 6 beats all five → 5; U = 6.5
    assert c.statistic == pytest.approx(6.5)
    # E(U) = 2·5/2 = 5; tie-corrected Var = n1n2/12·[(N+1) − Σ(t³−t)/(N(N−1))] = 10/12·(8 − 6/42) = 6.5476
    z = (6.5 - 5) / math.sqrt(10 / 12 * (8 - 6 / 42))  # no continuity correction
    assert c.p == pytest.approx(normal_two_sided_p(z))  # = .558
    assert "not testable" in c.note


def test_continuous_picks_mann_whitney_when_one_group_is_skewed():
    skewed = [1] * 12 + [2] * 6 + [3] * 3 + [4, 6, 9, 15, 30]
    normal = list(10 + 2 * sps.norm.ppf((np.arange(1, 41) - 0.5) / 40))
    c = compare_continuous(skewed, normal)
    assert c.test == "Mann–Whitney U"
    ref = sps.mannwhitneyu(skewed, normal, method="asymptotic", use_continuity=False)
    assert c.p == pytest.approx(ref.pvalue)
    assert compare_continuous([], [1, 2, 3]).p is None


# ---------------------------------------------------------------- categorical


def test_pearson_chi_square_2x2_by_hand():
    table = [[20, 10], [10, 20]]
    c = compare_proportions(table)
    # N = 60, all margins 30 → every E = 30·30/60 = 15; χ² = 4·(20 − 15)²/15 = 100/15 = 6.667
    assert c.test == "chi-square" and c.df == 1
    assert c.statistic == pytest.approx(100 / 15)
    assert c.p == pytest.approx(chi2_1df_p(100 / 15))  # = .0098
    # odds ratio = 20·20 / (10·10) = 4
    assert c.estimate == pytest.approx(4.0)
    # no Yates: with it, χ² = 4·(5 − .5)²/15 = 5.4
    assert c.statistic == pytest.approx(sps.chi2_contingency(table, correction=False)[0])
    assert c.statistic != pytest.approx(sps.chi2_contingency(table, correction=True)[0])


def test_pearson_chi_square_2x3_by_hand():
    c = compare_proportions([[10, 20, 30], [20, 20, 20]])
    # N = 120, rows 60/60, columns 30/40/50 → E per row 15, 20, 25
    # χ² = 2·[(10−15)²/15 + 0 + (30−25)²/25] = 2·(1.6667 + 1) = 5.3333, df 2, P = exp(−χ²/2)
    assert c.statistic == pytest.approx(16 / 3)
    assert c.df == 2
    assert c.p == pytest.approx(math.exp(-8 / 3))
    assert c.estimate is None


def test_fisher_exact_2x2_by_hand_symmetric():
    c = compare_proportions([[3, 1], [1, 3]])
    # every E = 4·4/8 = 2 < 5 → Fisher. P(a = k) = C(4,k)·C(4,4−k)/C(8,4) = C(4,k)²/70 → 1, 16, 36, 16, 1 (/70)
    # observed a = 3 (16/70); tables no more probable: k = 0, 1, 3, 4 → (1+16+16+1)/70 = 34/70
    assert c.test == "Fisher's exact test"
    assert c.p == pytest.approx(34 / 70)
    assert c.p == pytest.approx(sps.fisher_exact([[3, 1], [1, 3]]).pvalue)
    assert c.estimate == pytest.approx(9.0)


def test_fisher_exact_2x2_by_hand_asymmetric():
    c = compare_proportions([[5, 0], [1, 4]])
    # rows 5/5, columns 6/4, N = 10: P(a = k) = C(6,k)·C(4,5−k)/C(10,5), k = 1..5 → 6, 60, 120, 60, 6 (/252)
    probs = {k: comb(6, k) * comb(4, 5 - k) / comb(10, 5) for k in range(1, 6)}
    assert [round(v * 252) for v in probs.values()] == [6, 60, 120, 60, 6]
    # observed k = 5 (6/252); as or less probable: k = 1 and 5 → 12/252 = .0476
    assert c.p == pytest.approx(12 / 252)
    assert c.significant and c.p_text == ".048"
    assert c.estimate is None  # b·c = 0: odds ratio undefined


def test_fisher_rule_boundary_expected_exactly_five_is_chi_square():
    assert compare_proportions([[5, 5], [5, 5]]).test == "chi-square"  # E = 5, not < 5
    assert compare_proportions([[5, 4], [5, 5]]).test == "Fisher's exact test"  # E(a) = 10·9/19 = 4.74


def test_fisher_freeman_halton_rxc_close_to_full_enumeration():
    table = np.array([[3, 1, 0], [1, 4, 6]])
    rows, cols, n = table.sum(1), table.sum(0), table.sum()

    def prob(t):  # P(table | margins) = Π r! Π c! / (N! Π cells!)
        num = math.prod(math.factorial(v) for v in [*rows, *cols])
        return num / (math.factorial(n) * math.prod(math.factorial(v) for v in t.ravel()))

    observed = prob(table)
    exact = 0.0
    for x1 in range(cols[0] + 1):
        for x2 in range(cols[1] + 1):
            x3 = rows[0] - x1 - x2
            if 0 <= x3 <= cols[2]:
                t = np.array([[x1, x2, x3], cols - [x1, x2, x3]])
                if prob(t) <= observed * (1 + 1e-9):
                    exact += prob(t)
    c = compare_proportions(table)
    assert c.test == "Fisher's exact test"
    assert c.p == pytest.approx(exact, abs=0.003)  # Monte Carlo, 100 000 tables
    assert compare_proportions(table).p == c.p  # fixed seed: reproducible


def test_empty_rows_and_columns():
    # an all-zero column is dropped: [[5, 5], [5, 5]] → χ² = 0, P = 1
    c = compare_proportions([[0, 5, 5], [0, 5, 5]])
    assert c.test == "chi-square" and c.statistic == pytest.approx(0.0) and c.p == pytest.approx(1.0)
    assert compare_proportions([[0, 10], [0, 12]]).p is None  # nobody had the event
    assert table_from_counts(3, 10, 7, 12) == [[3, 7], [7, 5]]
    with pytest.raises(ValueError):
        compare_proportions([[1.5, 2], [3, 4]])
    with pytest.raises(ValueError):
        table_from_counts(11, 10, 0, 5)


# ---------------------------------------------------------------- CMH


def test_cmh_three_strata_by_hand():
    strata = [[[4, 2], [2, 4]], [[3, 1], [1, 3]], [[5, 1], [3, 3]]]
    # stratum 1: n 12, margins 6/6, 6/6 → E = 6·6/12 = 3, Var = 6·6·6·6/(12²·11) = 1296/1584
    # stratum 2: n 8,  margins 4/4, 4/4 → E = 4·4/8 = 2,  Var = 4⁴/(8²·7) = 256/448
    # stratum 3: n 12, rows 6/6, columns 8/4 → E = 6·8/12 = 4, Var = 6·6·8·4/(12²·11) = 1152/1584
    sum_a, sum_e = 4 + 3 + 5, 3 + 2 + 4
    sum_var = Fraction(1296, 1584) + Fraction(256, 448) + Fraction(1152, 1584)
    hand = (sum_a - sum_e) ** 2 / float(sum_var)  # 9 / 2.11688 = 4.2515
    c = cmh(strata)
    assert c.test == "CMH" and c.df == 1
    assert c.statistic == pytest.approx(hand)
    assert c.statistic == pytest.approx(4.2515, abs=1e-4)
    assert c.p == pytest.approx(chi2_1df_p(hand))  # = .039
    # MH OR = Σ(ad/n) / Σ(bc/n) = (16/12 + 9/8 + 15/12) / (4/12 + 1/8 + 3/12) = 3.7083 / 0.7083 = 5.2353
    sum_ad_n = Fraction(16, 12) + Fraction(9, 8) + Fraction(15, 12)
    sum_bc_n = Fraction(4, 12) + Fraction(1, 8) + Fraction(3, 12)
    mh_or = sum_ad_n / sum_bc_n
    assert c.estimate == pytest.approx(float(mh_or))
    assert c.ci[0] < c.estimate < c.ci[1]


def test_cmh_skips_strata_with_a_zero_margin():
    strata = [[[4, 2], [2, 4]], [[3, 1], [1, 3]], [[5, 1], [3, 3]]]
    base = cmh(strata)
    with_empty = cmh([*strata, [[0, 0], [3, 2]], [[1, 0], [0, 0]]])  # second one would divide by n − 1 = 0
    assert with_empty.statistic == pytest.approx(base.statistic)
    assert "2 skipped" in with_empty.note
    assert cmh([[[0, 0], [3, 2]]]).p is None
    with pytest.raises(ValueError):
        cmh([[[1, 2, 3], [4, 5, 6]]])


# ---------------------------------------------------------------- Kaplan–Meier and log-rank

KM_TIMES = [2, 3, 3, 5, 6, 8, 9, 12]
KM_EVENTS = [1, 1, 0, 1, 0, 1, 1, 0]


def test_kaplan_meier_eight_subjects_by_hand():
    points = kaplan_meier(KM_TIMES, KM_EVENTS)
    # t=2: 8 at risk, 1 event → S = 7/8 = .875
    # t=3: 7 at risk (event before the censoring at 3), 1 event → .875·6/7 = .75
    # t=5: 5 at risk, 1 event → .75·4/5 = .6
    # t=6: 4 at risk, censored → .6
    # t=8: 3 at risk, 1 event → .6·2/3 = .4
    # t=9: 2 at risk, 1 event → .4·1/2 = .2
    # t=12: 1 at risk, censored → .2
    expected = [(2, 0.875, 8, 1), (3, 0.75, 7, 1), (5, 0.6, 5, 1), (6, 0.6, 4, 0), (8, 0.4, 3, 1), (9, 0.2, 2, 1),
                (12, 0.2, 1, 0)]
    assert [(p.time, round(p.survival, 10), p.at_risk, p.events) for p in points] == expected
    assert median_survival(points) == 8  # first S ≤ .5
    assert median_survival(kaplan_meier([1, 2], [0, 0])) is None
    # same as scipy's KM (ecdf of right-censored data)
    ref = sps.ecdf(sps.CensoredData(uncensored=[2, 3, 5, 8, 9], right=[3, 6, 12])).sf
    assert [p.survival for p in points] == pytest.approx(list(ref.evaluate([p.time for p in points])))


def test_kaplan_meier_validates_input():
    with pytest.raises(ValueError):
        kaplan_meier([1, 2], [1])
    with pytest.raises(ValueError):
        kaplan_meier([1, -2], [1, 1])
    with pytest.raises(ValueError):
        kaplan_meier([1, 2], [1, 2])


def test_logrank_by_hand():
    # a: 1†, 3†, 5+   b: 2†, 4†, 6†, 7+     († event, + censored)
    # t=1: n_a 3, n_b 4, d 1 (a) → E_a = 3/7, V = 3·4·1·6/(7²·6) = 12/49
    # t=2: n_a 2, n_b 4, d 1 (b) → E_a = 2/6, V = 2·4·1·5/(6²·5) = 8/36
    # t=3: n_a 2, n_b 3, d 1 (a) → E_a = 2/5, V = 2·3·1·4/(5²·4) = 6/25
    # t=4: n_a 1, n_b 3, d 1 (b) → E_a = 1/4, V = 1·3·1·3/(4²·3) = 3/16
    # t=6: n_a 0 → E_a = 0, V = 0
    o = 2
    e = Fraction(3, 7) + Fraction(1, 3) + Fraction(2, 5) + Fraction(1, 4)
    v = Fraction(12, 49) + Fraction(8, 36) + Fraction(6, 25) + Fraction(3, 16)
    hand = float((o - e) ** 2 / v)  # 0.5881² / 0.8946 = 0.3866
    c = logrank([1, 3, 5], [1, 1, 0], [2, 4, 6, 7], [1, 1, 1, 0])
    assert c.test == "log-rank" and c.df == 1
    assert c.statistic == pytest.approx(hand)
    assert c.statistic == pytest.approx(0.3866, abs=1e-4)
    assert c.p == pytest.approx(chi2_1df_p(hand))
    ref = sps.logrank(sps.CensoredData(uncensored=[1, 3], right=[5]), sps.CensoredData(uncensored=[2, 4, 6], right=[7]))
    assert c.p == pytest.approx(ref.pvalue)


def test_logrank_with_tied_events_by_hand():
    # a: 2†, 2†, 4+   b: 2†, 3+, 5†
    # t=2: n_a 3, n_b 3, d 3 (2 in a) → E_a = 3·3/6 = 1.5, V = 3·3·3·(6−3)/(6²·5) = 81/180 = .45
    # t=5: n_a 0, n_b 1 → n = 1, no information
    c = logrank([2, 2, 4], [1, 1, 0], [2, 3, 5], [1, 0, 1])
    assert c.statistic == pytest.approx((2 - 1.5) ** 2 / 0.45)  # 0.5556
    assert logrank([1, 2], [0, 0], [3], [0]).p is None  # no events


# ---------------------------------------------------------------- KM figure


def test_km_figure_png():
    curves = {"Arm A 甲": (KM_TIMES, KM_EVENTS), "Arm B": ([1, 4, 4, 7, 10, 11], [1, 0, 1, 1, 0, 0])}
    png = km_figure_png(curves, "Renal-involvement-free survival", "Months since randomization")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = Image.open(io.BytesIO(png)).size
    assert width > 600 and height > 400
    assert km_figure_png(curves, "Renal-involvement-free survival", "Months since randomization") == png
    pooled = km_figure_png({"pooled": (KM_TIMES, KM_EVENTS)}, "t", "x", at_risk_table=False)
    assert Image.open(io.BytesIO(pooled)).size[1] < height
    with pytest.raises(ValueError):
        km_figure_png({}, "t", "x")
    with pytest.raises(ValueError):
        km_figure_png({"empty": ([], [])}, "t", "x")
