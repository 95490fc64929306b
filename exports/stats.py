"""Statistics core of the analysis report (protocol 2.13–2.15). Pure Python + numpy/scipy/statsmodels, no Django.

Settings chosen where the protocol is silent (each documented at the function that applies it):

* two-sided tests, significance at P < .05 (protocol 2.14);
* normality: one-sample Kolmogorov–Smirnov against N(sample mean, sample SD), asymptotic P, no Lilliefors
  correction unless asked (``lilliefors=True``); "normal" when P ≥ .05; n < 3 or SD = 0 is not testable;
* quartiles: SPSS's default "weighted average at x(n+1)p" (numpy ``method="weibull"``);
* t-test: Welch (unequal variances); Mann–Whitney U: normal approximation with tie correction, no continuity
  correction (SPSS "Asymp. Sig.");
* categorical: Pearson chi-square without Yates correction, Fisher's exact test when any expected count < 5;
* CMH: Mantel–Haenszel chi-square without continuity correction; strata with a zero margin skipped.

Survival (Kaplan–Meier, log-rank, KM figure) lives in ``exports.survival``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from scipy import stats as sps

ALPHA = 0.05  # protocol 2.14: two-sided P < .05
MIN_EXPECTED = 5.0  # Fisher instead of chi-square when any expected cell count is below this
FISHER_RXC_RESAMPLES = 100_000  # Monte Carlo Fisher–Freeman–Halton for tables larger than 2×2
FISHER_RXC_SEED = 20240214  # fixed so that the report is reproducible
MAX_TABLE_TOTAL = 10**8  # a table total beyond any trial; keeps every product of counts inside int64
MAX_MAGNITUDE = 1e50  # larger values are data errors (Welch df squares the variance: x**4 must stay finite)

Number = float | int | Decimal


@dataclass(frozen=True)
class Description:
    """Descriptive statistics of one continuous variable (protocol 2.14)."""

    n: int
    missing: int
    mean: float | None
    sd: float | None
    median: float | None
    q1: float | None
    q3: float | None
    min: float | None
    max: float | None
    normal: bool  # KS P ≥ .05; False when not testable
    ks_p: float | None  # None: not testable (n < 3 or SD = 0)
    decimals: int
    text: str  # "mean ± SD" when normal, otherwise "median [Q1, Q3]"; "—" when n = 0


@dataclass(frozen=True)
class Comparison:
    """Result of one two-sided hypothesis test; ``p is None`` means the test could not be done (see ``note``)."""

    test: str
    statistic: float | None
    p: float | None
    df: float | None = None
    estimate: float | None = None  # mean difference a − b, odds ratio, or Mantel–Haenszel odds ratio
    ci: tuple[float, float] | None = None  # 95 % confidence interval of ``estimate``
    note: str = ""

    @property
    def p_text(self) -> str:
        return format_p(self.p)

    @property
    def significant(self) -> bool:
        # Protocol 2.14: decided on the unrounded P, never on the printed text.
        return self.p is not None and self.p < ALPHA


def format_p(p: float | None) -> str:
    """P value as SPSS/APA print it: "< .001", ".034", "1.000"; "—" when there is no P (protocol 2.14)."""
    if p is None or math.isnan(p):
        return "—"
    if p < 0 or p > 1:
        raise ValueError(f"P value out of range: {p}")
    if p < 0.001:
        return "< .001"
    text = f"{p:.3f}"
    return text[1:] if text.startswith("0") else text


def _clean(values: Iterable[Number | None]) -> tuple[np.ndarray, int]:
    """Finite values as floats, and how many were missing (None or NaN).

    Magnitudes above MAX_MAGNITUDE are refused: no trial measurement comes near, and sums of squares of such
    values overflow to inf/NaN, which would print as "nan ± inf" instead of failing."""
    kept: list[float] = []
    missing = 0
    for value in values:
        try:
            number = None if value is None else float(value)
        except OverflowError:  # an int beyond float range
            raise ValueError("value too large") from None
        if number is None or math.isnan(number):
            missing += 1
        elif math.isinf(number):
            raise ValueError("infinite value")
        elif abs(number) > MAX_MAGNITUDE:
            raise ValueError("value too large")
        else:
            kept.append(number)
    return np.asarray(kept, dtype=float), missing


def _auto_decimals(x: np.ndarray) -> int:
    """About three significant figures for a typical value: 85.3, 1.23, 0.452; 0–3 decimals."""
    nonzero = np.abs(x[x != 0])
    if nonzero.size == 0:
        return 2
    return int(min(3, max(0, 2 - math.floor(math.log10(float(np.median(nonzero)))))))


def normality_p(x: np.ndarray, *, lilliefors: bool = False) -> float | None:
    """P of the one-sample Kolmogorov–Smirnov test for normality (protocol 2.14); None when not testable.

    The reference normal has the sample's own mean and SD (ddof=1), and the P value is the asymptotic
    Kolmogorov distribution of √n·D, as SPSS's legacy NPAR TESTS /K-S "Asymp. Sig." — no Lilliefors correction.
    That test is conservative (it rarely rejects normality); ``lilliefors=True`` uses statsmodels' Lilliefors
    table instead, which is what SPSS prints when its output carries the footnote "Lilliefors Significance
    Correction".
    """
    if x.size < 3:
        return None
    sd = float(np.std(x, ddof=1))
    if sd == 0:
        return None
    if lilliefors:
        from statsmodels.stats.diagnostic import lilliefors as _lilliefors

        return float(_lilliefors(x, dist="norm", pvalmethod="table")[1])
    return float(sps.kstest(x, "norm", args=(float(np.mean(x)), sd), method="asymp").pvalue)


def describe(values: Iterable[Number | None], *, decimals: int | None = None, lilliefors: bool = False) -> Description:
    """Mean ± SD if normal, else median [Q1, Q3] (protocol 2.14). None/NaN count as missing.

    SD uses n − 1. Quartiles use SPSS's default definition (weighted average at x(n+1)p = numpy "weibull").
    ``decimals`` defaults to about three significant figures of the typical (median absolute) value.
    """
    x, missing = _clean(values)
    n = int(x.size)
    d = _auto_decimals(x) if decimals is None else decimals
    if n == 0:
        return Description(0, missing, None, None, None, None, None, None, None, False, None, d, "—")
    mean = float(np.mean(x))
    sd = float(np.std(x, ddof=1)) if n > 1 else None
    q1, median, q3 = (float(v) for v in np.percentile(x, [25, 50, 75], method="weibull"))
    ks_p = normality_p(x, lilliefors=lilliefors)
    normal = ks_p is not None and ks_p >= ALPHA
    if normal:
        text = f"{mean:.{d}f} ± {sd:.{d}f}"
    else:
        text = f"{median:.{d}f} [{q1:.{d}f}, {q3:.{d}f}]"
    return Description(n, missing, mean, sd, median, q1, q3, float(x.min()), float(x.max()), normal, ks_p, d, text)


def compare_continuous(
    a: Iterable[Number | None], b: Iterable[Number | None], *, lilliefors: bool = False
) -> Comparison:
    """Two independent groups (protocol 2.14): t-test when both groups are normal by KS, else Mann–Whitney U.

    t-test: Welch's (no equal-variance assumption, so no Levene step); estimate = mean(a) − mean(b) with its
    95 % CI. Mann–Whitney U: statistic is U of group ``a``; two-sided P from the normal approximation with the tie
    correction and without continuity correction (SPSS "Asymp. Sig. (2-tailed)").
    """
    x, _ = _clean(a)
    y, _ = _clean(b)
    if x.size == 0 or y.size == 0:
        return Comparison("not testable", None, None, note="a group has no values")
    ks = [normality_p(v, lilliefors=lilliefors) for v in (x, y)]
    verdicts = ["not testable" if p is None else "normal" if p >= ALPHA else "not normal" for p in ks]
    if verdicts == ["normal", "normal"]:
        res = sps.ttest_ind(x, y, equal_var=False)
        ci = res.confidence_interval(0.95)
        return Comparison(
            "t-test",
            float(res.statistic),
            float(res.pvalue),
            df=float(res.df),
            estimate=float(np.mean(x) - np.mean(y)),
            ci=(float(ci.low), float(ci.high)),
            note="Welch's t-test (equal variances not assumed)",
        )
    if np.unique(np.concatenate([x, y])).size == 1:
        return Comparison("Mann–Whitney U", None, None, note="all values are equal")
    res = sps.mannwhitneyu(x, y, alternative="two-sided", method="asymptotic", use_continuity=False)
    note = f"KS normality: a {verdicts[0]}, b {verdicts[1]}"
    return Comparison("Mann–Whitney U", float(res.statistic), float(res.pvalue), note=note)


def table_from_counts(events_a: int, n_a: int, events_b: int, n_b: int) -> list[list[int]]:
    """2×2 table [[events, non-events] per group] from event counts and group sizes."""
    if not (0 <= events_a <= n_a and 0 <= events_b <= n_b):
        raise ValueError("events must lie between 0 and the group size")
    return [[events_a, n_a - events_a], [events_b, n_b - events_b]]


def _table(table: Sequence[Sequence[int]]) -> np.ndarray:
    t = np.asarray(table)
    if t.ndim != 2 or t.size == 0:
        raise ValueError("a contingency table must be a non-empty 2-D array of counts")
    if np.any(t < 0) or not np.all(np.equal(np.mod(t, 1), 0)):
        raise ValueError("a contingency table holds non-negative integer counts")
    if t.sum() > MAX_TABLE_TOTAL:  # else int64 wraps silently (10**19) or products overflow (expected counts)
        raise ValueError(f"a contingency table of more than {MAX_TABLE_TOTAL:.0e} counts is not trial data")
    return t.astype(np.int64)


def _odds_ratio(t: np.ndarray) -> float | None:
    if t.shape != (2, 2) or t[0, 1] * t[1, 0] == 0:
        return None
    return float(t[0, 0] * t[1, 1] / (t[0, 1] * t[1, 0]))


def compare_proportions(table: Sequence[Sequence[int]]) -> Comparison:
    """Categorical comparison (protocol 2.14): Pearson chi-square, or Fisher's exact test if any expected < 5.

    Rows are groups, columns are categories. All-zero rows/columns are dropped first (an empty category is not
    tested). Chi-square is Pearson's without Yates' continuity correction (SPSS "Pearson Chi-Square"). Rule for
    Fisher: any expected count E = row total × column total / N below 5 (the usual Cochran rule, as SPSS's
    footnote "cells have expected count less than 5"). 2×2: two-sided exact P summing all tables no more probable
    than the observed one; larger tables: Fisher–Freeman–Halton P by Monte Carlo (100 000 tables, fixed seed).
    For a 2×2 table ``estimate`` is the sample odds ratio (a·d)/(b·c) when defined.
    """
    t = _table(table)
    t = t[t.sum(axis=1) > 0][:, t.sum(axis=0) > 0]
    if t.shape[0] < 2 or t.shape[1] < 2:
        return Comparison("not testable", None, None, note="fewer than two non-empty rows or columns")
    expected = np.outer(t.sum(axis=1), t.sum(axis=0)) / t.sum()
    small = int(np.sum(expected < MIN_EXPECTED))
    if small:
        note = f"{small} cell(s) with expected count < {MIN_EXPECTED:g} (minimum {expected.min():.2f})"
        if t.shape == (2, 2):
            p = float(sps.fisher_exact(t).pvalue)
        else:
            method = sps.MonteCarloMethod(n_resamples=FISHER_RXC_RESAMPLES, rng=np.random.default_rng(FISHER_RXC_SEED))
            p = float(sps.fisher_exact(t, method=method).pvalue)
            note += f"; Fisher–Freeman–Halton Monte Carlo P ({FISHER_RXC_RESAMPLES} tables)"
        return Comparison("Fisher's exact test", None, min(p, 1.0), estimate=_odds_ratio(t), note=note)
    chi2, p, dof, _ = sps.chi2_contingency(t, correction=False)
    return Comparison("chi-square", float(chi2), float(p), df=float(dof), estimate=_odds_ratio(t), note="Pearson")


def cmh(strata_tables: Sequence[Sequence[Sequence[int]]]) -> Comparison:
    """Cochran–Mantel–Haenszel test across strata (protocol 2.15 subgroups: CR/PR rates across the 4 strata).

    Each stratum is a 2×2 table [[a, b], [c, d]] — rows: group 1, group 2; columns: event, no event.
    Statistic (no continuity correction, 1 df): (Σa − ΣE(a))² / ΣVar(a), with E(a) = (a+b)(a+c)/n and
    Var(a) = (a+b)(c+d)(a+c)(b+d) / (n²(n−1)) — as R's mantelhaen.test(correct=FALSE) and SAS PROC FREQ.
    (SPSS prints both "Cochran's", variance with n³, and "Mantel-Haenszel", with continuity correction; both
    differ slightly from this one.) ``estimate`` is the pooled Mantel–Haenszel odds ratio Σ(ad/n) / Σ(bc/n),
    ``ci`` its Robins–Breslow–Greenland 95 % CI. Strata with a zero row or column total carry no information
    (Var(a) = 0, ad = bc = 0) and are skipped; the note says how many.
    """
    from statsmodels.stats.contingency_tables import StratifiedTable

    tables = [_table(s) for s in strata_tables]
    if any(t.shape != (2, 2) for t in tables):
        raise ValueError("every stratum must be a 2×2 table")
    used = [t for t in tables if np.all(t.sum(axis=0) > 0) and np.all(t.sum(axis=1) > 0)]
    skipped = len(tables) - len(used)
    note = f"{len(used)} stratum/strata used" + (f", {skipped} skipped (zero margin)" if skipped else "")
    if not used:
        return Comparison("CMH", None, None, note=note)
    st = StratifiedTable([t.astype(float) for t in used])
    statistic = float(st.test_null_odds(correction=False).statistic)
    p = float(sps.chi2.sf(statistic, 1))  # sf, not 1 − cdf, to keep small P values exact
    num = sum(t[0, 0] * t[1, 1] / t.sum() for t in used)
    den = sum(t[0, 1] * t[1, 0] / t.sum() for t in used)
    estimate = ci = None
    if num > 0 and den > 0:
        estimate = float(st.oddsratio_pooled)
        low, high = st.oddsratio_pooled_confint(alpha=ALPHA)
        ci = (float(low), float(high))
    return Comparison("CMH", statistic, p, df=1.0, estimate=estimate, ci=ci, note=note)
