"""The analysis report as a PDF: the same figures as the page, for the trial master file.

No Django imports: the caller passes the gathered report, the Kaplan–Meier figures, the group labels in the
reader's language and pre-formatted print details. Before the datasets are unblinded the report holds pooled
figures only (exports.report_data), so nothing here can print an arm that the page would not show.
"""
from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reportlab.graphics.shapes import Drawing, Line, Polygon, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Image, KeepTogether, Spacer

from edc.pdf import FONT_NAME, Styles, bilingual_heading, build_document, content_width, footer, styles, table, text

if TYPE_CHECKING:
    from exports.report_data import Report
    from exports.report_figures import SurvivalFigure

MARGIN = 16 * mm
GRID = [("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f5")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]


@dataclass(frozen=True)
class PrintDetails:
    trial: str
    status: str  # "Blinded: pooled figures only / …" or "Unblinded: released by … at …"
    printed_at: str
    printed_by: str
    baseline_note: str


def _box(d: Drawing, x: float, y: float, w: float, h: float, lines: Sequence[str], size: float = 8) -> None:
    d.add(Rect(x, y, w, h, strokeColor=colors.HexColor("#3b5b7a"), fillColor=colors.HexColor("#f5f8fb"),
               strokeWidth=0.8))
    top = y + h - size - 3
    for i, line in enumerate(lines):
        d.add(String(x + 4, top - i * (size + 2), line, fontName=FONT_NAME, fontSize=size))


def _arrow(d: Drawing, x1: float, y1: float, x2: float, y2: float) -> None:
    d.add(Line(x1, y1, x2, y2, strokeColor=colors.HexColor("#3b5b7a"), strokeWidth=0.8))
    if x1 == x2:  # downward arrow head
        d.add(Polygon([x2 - 3, y2 + 5, x2 + 3, y2 + 5, x2, y2], fillColor=colors.HexColor("#3b5b7a"), strokeWidth=0))
    else:  # rightward
        d.add(Polygon([x2 - 5, y2 - 3, x2 - 5, y2 + 3, x2, y2], fillColor=colors.HexColor("#3b5b7a"), strokeWidth=0))


def consort_drawing(report: Report, labels: dict[str, str], words: dict[str, str], width: float) -> Drawing:
    """CONSORT 2010 flow: screened → excluded (with reasons) → randomized → one column per group."""
    c = report.consort
    reasons = [f"· {r}: {n}" for r, n in c["exclusion_reasons"][:6]]
    side_h, group_h = 16 + 10 * max(1, len(reasons)), 64
    height = 116 + side_h + group_h
    d = Drawing(width, height)
    main_x, main_w = width * 0.05, width * 0.42
    mid = main_x + main_w / 2
    top_y = height - 28
    _box(d, main_x, top_y, main_w, 24, [f"{words['screened']}: {c['screened']}"], 9)
    side_x = main_x + main_w + 20
    side_y = top_y - 10 - side_h
    _box(d, side_x, side_y, width - side_x - 2, side_h, [f"{words['excluded']}: {c['excluded']}", *reasons])
    rand_y = side_y - 44
    _box(d, main_x, rand_y, main_w, 24,
         [f"{words['enrolled']}: {c['enrolled']} · {words['randomized']}: {c['randomized']}"], 9)
    _arrow(d, mid, top_y, mid, rand_y + 24)
    _arrow(d, mid, side_y + side_h / 2, side_x, side_y + side_h / 2)
    groups = list(c["groups"].items())
    col_w = (width - 4) / len(groups)
    centres = [2 + (i + 0.5) * col_w for i in range(len(groups))]
    d.add(Line(mid, rand_y, mid, rand_y - 12, strokeColor=colors.HexColor("#3b5b7a"), strokeWidth=0.8))
    d.add(Line(min(centres + [mid]), rand_y - 12, max(centres + [mid]), rand_y - 12,
               strokeColor=colors.HexColor("#3b5b7a"), strokeWidth=0.8))
    for centre, (g, n) in zip(centres, groups, strict=True):
        _arrow(d, centre, rand_y - 12, centre, rand_y - 28)
        _box(d, centre - col_w / 2 + 4, rand_y - 28 - group_h, col_w - 8, group_h, [
            labels[g], f"{words['allocated']}: {n['allocated']}", f"{words['infused']}: {n['infused']}",
            f"{words['discontinued']}: {n['discontinued']}", f"{words['fas']}: {n['fas']} · PPS: {n['pps']}"])
    return d


def analysis_report_pdf(report: Report, figures: Sequence[SurvivalFigure], labels: dict[str, str],
                        words: dict[str, str], details: PrintDetails) -> bytes:
    st = styles(9)
    width = content_width(A4, MARGIN)
    groups = report.groups
    story: list[Flowable] = [
        bilingual_heading("Analysis report", "分析报告", st.title),
        text(details.trial, st.body),
        text(details.status, st.small),
        bilingual_heading("CONSORT flow", "CONSORT 流程图", st.heading),
        consort_drawing(report, labels, words, width),
        bilingual_heading("Baseline", "基线特征", st.heading),
        _baseline(report, labels, width, st),
        text(details.baseline_note, st.small),
        bilingual_heading("Overall renal response (CR + PR), FAS, WOCF", "肾脏总缓解（CR + PR），FAS，WOCF",
                          st.heading),
        _response(report, labels, words, width, st),
    ]
    for i, fig in enumerate(figures):
        block: list[Flowable] = [bilingual_heading("Survival", "生存分析", st.heading)] if i == 0 else []
        block.append(text(fig.title, st.body))
        if fig.png:
            image = Image(io.BytesIO(fig.png))
            scale = min(1.0, (width * 0.8) / image.imageWidth)
            image.drawWidth, image.drawHeight = image.imageWidth * scale, image.imageHeight * scale
            block.append(image)
        else:
            block.append(text(words["no_follow_up"], st.small))
        medians = " · ".join(f"{g}: {words['median']} {m:.1f}" if m is not None else f"{g}: {words['not_reached']}"
                             for g, m in fig.medians.items())
        if medians:
            block.append(text(medians, st.small))
        if fig.logrank is not None:
            block.append(text(f"{words['logrank']} P {fig.logrank.p_text}", st.small))
        story.append(KeepTogether(block))
        story.append(Spacer(1, 3 * mm))
    story += [bilingual_heading("Adverse events by grade (CTCAE v5.0)", "按分级统计的不良事件（CTCAE v5.0）",
                                st.heading), _adverse_events(report, groups, labels, words, width, st)]
    return build_document(story, title="Analysis report", subject="Analysis report (protocol 2.13-2.15)",
                          margin=MARGIN, on_page=footer(details.printed_at, left=details.printed_by))


def _baseline(report: Report, labels: dict, width: float, st: Styles):
    head = ["", *[labels[g] for g in report.groups]] + (["P"] if report.released else [])
    rows = [[text(str(name), st.body), *[texts[g] for g in report.groups],
             *([f"{test.p_text} ({test.test})" if test else "—"] if report.released else [])]
            for name, texts, test in report.baseline]
    return _grid([head, *rows], width)


def _response(report: Report, labels: dict, words: dict, width: float, st: Styles):
    head = [words["month"], *[labels[g] for g in report.groups]] + (["P", "CMH P"] if report.released else [])
    rows = []
    for month, counts, test, cmh in report.response:
        cells = [f"{n} / {total} ({100 * n / total:.1f} %)" if total else f"{n} / {total}"
                 for n, total in (counts[g] for g in report.groups)]
        extra = [f"{test.p_text} ({test.test})" if test else "—", cmh.p_text if cmh else "—"] if report.released else []
        rows.append([str(month), *cells, *extra])
    return _grid([head, *rows], width)


def _adverse_events(report: Report, groups, labels, words, width, st: Styles):
    head = ["", *[f"G{g}" for g in range(1, 6)], words["sae_participants"]]
    rows = [[labels[g], *[str(report.ae_by_grade.get(g, {}).get(grade, 0)) for grade in range(1, 6)],
             str(len(report.sae_participants.get(g, ())))] for g in groups]
    return _grid([head, *rows], width)


def _grid(data, width):
    """A grid table whose cells wrap (long test names, long headings) instead of running over."""
    st = styles(8.5)
    first = width * 0.3
    rest = (width - first) / max(1, len(data[0]) - 1)
    cells = [[cell if isinstance(cell, Flowable) else text(str(cell), st.body) for cell in row] for row in data]
    return table(cells, [first] + [rest] * (len(data[0]) - 1), GRID)
