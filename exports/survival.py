"""Kaplan–Meier estimate, log-rank test and KM figure (protocol 2.14 "survival: Kaplan–Meier"). No Django.

Hand-written (no lifelines): the product-limit estimator and the Mantel–Cox log-rank test are a few lines each,
and checked by hand in tests/exports/test_stats.py. Convention at tied times: events happen before censorings,
so a subject censored at t is still at risk at t (as SPSS, SAS, R survival).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from typing import NamedTuple

import numpy as np
from scipy import stats as sps

from exports.stats import Comparison, Number

# Font fallback so that Chinese arm or axis labels render (first installed family wins per glyph).
_FONT_PREFERENCE = ("DejaVu Sans", "WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Sans SC", "SimHei")
_LINESTYLES = ("-", "--", "-.", ":")  # distinguishable in greyscale print too


class KMPoint(NamedTuple):
    """One distinct observed time (event or censoring) of a Kaplan–Meier curve."""

    time: float
    survival: float  # S(t) just after ``time``
    at_risk: int  # subjects with time ≥ ``time``
    events: int  # events at ``time`` (0 at a censoring-only time)


def _survival_data(times: Iterable[Number], events: Iterable[bool | int]) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray([float(v) for v in times], dtype=float)
    e_raw = list(events)
    if len(e_raw) != t.size:
        raise ValueError("times and events differ in length")
    if any(v not in (0, 1) for v in e_raw):  # True/False compare equal to 1/0
        raise ValueError("events must be 1/True (event) or 0/False (censored)")
    if not np.all(np.isfinite(t)) or np.any(t < 0):
        raise ValueError("times must be finite and ≥ 0")
    return t, np.asarray(e_raw, dtype=bool)


def kaplan_meier(times: Iterable[Number], events: Iterable[bool | int]) -> list[KMPoint]:
    """Product-limit estimate (protocol 2.14): S(t) = Π over event times tᵢ ≤ t of (1 − dᵢ / nᵢ).

    One point per distinct observed time, ascending; S(0) = 1 is implied and not listed.
    """
    t, e = _survival_data(times, events)
    survival = 1.0
    points: list[KMPoint] = []
    for time in np.unique(t):
        at_risk = int(np.sum(t >= time))
        d = int(np.sum((t == time) & e))
        if d:
            survival *= 1.0 - d / at_risk
        points.append(KMPoint(float(time), survival, at_risk, d))
    return points


def median_survival(points: list[KMPoint]) -> float | None:
    """Smallest time with S(t) ≤ 0.5 (SPSS/R definition); None when the curve never reaches 0.5."""
    return next((p.time for p in points if p.survival <= 0.5 + 1e-12), None)


def logrank(
    times_a: Iterable[Number],
    events_a: Iterable[bool | int],
    times_b: Iterable[Number],
    events_b: Iterable[bool | int],
) -> Comparison:
    """Log-rank (Mantel–Cox) test of two KM curves (protocol 2.14), two-sided, 1 df — SPSS "Log Rank (Mantel-Cox)".

    At each distinct event time with n at risk (n_a in group a), d events and d_a in group a:
    E(d_a) = d·n_a/n, Var(d_a) = n_a·n_b·d·(n − d) / (n²(n − 1)); statistic = (Σd_a − ΣE)² / ΣVar.
    """
    ta, ea = _survival_data(times_a, events_a)
    tb, eb = _survival_data(times_b, events_b)
    observed = expected = variance = 0.0
    for time in np.unique(np.concatenate([ta[ea], tb[eb]])):
        n_a, n_b = int(np.sum(ta >= time)), int(np.sum(tb >= time))
        d_a, d_b = int(np.sum((ta == time) & ea)), int(np.sum((tb == time) & eb))
        n, d = n_a + n_b, d_a + d_b
        observed += d_a
        expected += d * n_a / n
        if n > 1:
            variance += n_a * n_b * d * (n - d) / (n * n * (n - 1))
    total = int(ea.sum() + eb.sum())
    note = f"observed/expected events: a {int(ea.sum())}/{expected:.2f}, b {int(eb.sum())}/{total - expected:.2f}"
    if variance <= 0:
        return Comparison("log-rank", None, None, note="not testable: " + note)
    statistic = (observed - expected) ** 2 / variance
    return Comparison("log-rank", statistic, float(sps.chi2.sf(statistic, 1)), df=1.0, note=note)


def _installed_fonts() -> list[str]:
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return [name for name in _FONT_PREFERENCE if name in installed] or ["DejaVu Sans"]


def km_figure_png(
    curves: Mapping[str, tuple[Iterable[Number], Iterable[bool | int]]],
    title: str,
    xlabel: str,
    ylabel: str = "Survival probability",
    *,
    at_risk_table: bool = True,
    at_risk_label: str = "Number at risk",
    dpi: int = 150,
) -> bytes:
    """Kaplan–Meier figure as PNG bytes (protocol 2.14): step curves, "|" ticks at censorings, numbers at risk.

    ``curves`` maps a legend label to (times, events); the caller decides whether labels are arm names or
    "pooled" (blinded report). Uses matplotlib's Agg canvas directly (no pyplot, no screen, thread-safe), and
    drops the PNG "Software" tag so that identical data give identical bytes.
    """
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator
    from matplotlib.transforms import blended_transform_factory

    if not curves:
        raise ValueError("no curves to draw")
    data = {label: _survival_data(*pair) for label, pair in curves.items()}
    if any(t.size == 0 for t, _ in data.values()):
        raise ValueError("a curve has no subjects")

    with matplotlib.rc_context({"font.family": _installed_fonts()}):
        fig = Figure(figsize=(7.0, 4.2 + (0.3 + 0.25 * len(data) if at_risk_table else 0)))
        FigureCanvasAgg(fig)
        ratios = [4.0, 0.45 + 0.3 * len(data)] if at_risk_table else [1.0]
        grid = fig.add_gridspec(len(ratios), 1, height_ratios=ratios, hspace=0.35)
        ax = fig.add_subplot(grid[0])
        for i, (label, (t, e)) in enumerate(data.items()):
            points = kaplan_meier(t, e)
            xs = [0.0] + [p.time for p in points]
            ys = [1.0] + [p.survival for p in points]
            style = _LINESTYLES[i % len(_LINESTYLES)]
            (line,) = ax.step(xs, ys, where="post", linestyle=style, label=f"{label} (n = {t.size})")
            by_time = {p.time: p.survival for p in points}
            censored = sorted(set(t[~e].tolist()))
            ax.plot(censored, [by_time[c] for c in censored], linestyle="none", marker="|", markersize=9,
                    color=line.get_color())
        if all(np.all(t == np.round(t)) for t, _ in data.values()):
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # whole days/months: no "2.5" ticks
        ax.set_xlim(left=0)
        ax.set_ylim(0, 1.05)
        ax.set_title(title)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
        ax.legend(loc="lower left", frameon=False)

        if at_risk_table:
            low, high = ax.get_xlim()
            ticks = [x for x in ax.get_xticks() if low - 1e-9 <= x <= high + 1e-9]
            table = fig.add_subplot(grid[1])
            table.set_xlim(low, high)
            table.axis("off")
            where = blended_transform_factory(table.transData, table.transAxes)
            rows = len(data)
            table.text(0, 1.0, at_risk_label, transform=table.transAxes, ha="left", va="bottom", fontsize=9)
            for r, (label, (t, _)) in enumerate(data.items()):
                y = 1.0 - (r + 1) / (rows + 0.5)
                table.text(-0.05, y, label, transform=table.transAxes, ha="right", va="center", fontsize=9)
                for x in ticks:
                    table.text(x, y, str(int(np.sum(t >= x))), transform=where, ha="center", va="center", fontsize=9)

        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    return buffer.getvalue()


__all__ = ["KMPoint", "kaplan_meier", "km_figure_png", "logrank", "median_survival"]
