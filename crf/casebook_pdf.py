"""The CRF book PDFs: the blank CRF book (paper back-up and training, protocol version 1.0) and a
participant's filled casebook, for the investigator site file and for inspection (ICH E6(R3) 2.12 and
appendix C: the investigator keeps a copy of the CRF data; 21 CFR 11.10(b): accurate and complete
copies of records in human-readable form, with their audit trail).

Data gathering lives in crf.casebook_data; this module only lays the text out. Everything is
printed in the active language (the caller activates it) with the bilingual fixed wording of the
other trial PDFs. The casebook never carries the allocation: its reader is blinded.
"""
from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable, PageBreak, Spacer, Table, TableStyle

from crf.casebook_data import (
    FMT,
    BlankForm,
    CasebookData,
    FormData,
    ScheduleGrid,
    blank_forms,
    gather_casebook,
    schedule_grid,
)
from edc.pdf import FONT_NAME, Styles, build_document, content_width, footer, kv_table, register_fonts
from edc.pdf import styles as make_styles
from edc.pdf import text as _text

MARGIN = 16 * mm
TRIAL = ("Trial: uc-MSC versus placebo for refractory lupus nephritis / "
         "脐带间充质干细胞治疗难治性狼疮肾炎随机对照试验")
PROTOCOL = "Protocol version 1.0, 2023-05-20 / 方案版本 1.0（2023-05-20）"
GRID = colors.HexColor("#9a9a9a")
HEAD = colors.HexColor("#e3eaf1")
NOTE = colors.HexColor("#f7f3e3")
SHADE = colors.HexColor("#f0f0f0")
SUPERSCRIPT = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻", "0123456789+-", strict=True))


@cache
def _glyphs() -> dict[int, int]:
    register_fonts()
    return pdfmetrics.getFont(FONT_NAME).face.charToGlyph


def printable(value: str) -> str:
    """A character the embedded font lacks would print as nothing ("×10⁹/L" as "×10 /L"): a true copy
    must not lose it (21 CFR 11.10(b)). Superscripts become "^9"; anything else its code point."""
    glyphs, out, in_superscript = _glyphs(), [], False
    for ch in value:
        if ord(ch) in glyphs or ch.isspace():
            out.append(ch)
            in_superscript = False
        elif ch in SUPERSCRIPT:
            out.append(SUPERSCRIPT[ch] if in_superscript else "^" + SUPERSCRIPT[ch])
            in_superscript = True
        else:
            out.append(f"[U+{ord(ch):04X}]")
            in_superscript = False
    return "".join(out)


def text(value: str, style: ParagraphStyle) -> Flowable:
    return _text(printable(value), style)


def heading(en: str, zh: str, style: ParagraphStyle) -> Flowable:
    return text(f"{en} / {zh}", style)


def _grid(data: Sequence[Sequence[object]], widths: Sequence[float], commands: Sequence[tuple] = (), *,
          min_heights: Sequence[float] | None = None, repeat: int = 0, grid: bool = True) -> Table:
    """A table in the CJK font; long rows may split across pages (an audit entry can be tall)."""
    result = Table(data, colWidths=list(widths), repeatRows=repeat, minRowHeights=min_heights, splitInRow=1)
    lines = [("GRID", (0, 0), (-1, -1), 0.4, GRID)] if grid else []
    result.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), register_fonts()), *lines,
                                ("VALIGN", (0, 0), (-1, -1), "TOP"), *commands]))
    return result


def _sub(st: Styles) -> ParagraphStyle:
    return ParagraphStyle("sub", parent=st.body, fontSize=st.body.fontSize * 1.1,
                          leading=st.body.fontSize * 1.5, textColor=colors.HexColor("#1d3b5a"))


# ---- the blank CRF book ---------------------------------------------------------------------

def _cover(forms: list[BlankForm], printed_at: str, st: Styles) -> list[Flowable]:
    big = ParagraphStyle("cover", parent=st.title, fontSize=22, leading=30, spaceAfter=6 * mm)
    story: list[Flowable] = [
        Spacer(1, 30 * mm), text("Case report form book", big), text("病例报告表（空白）", big),
        text(TRIAL, st.body), Spacer(1, 2 * mm), text(PROTOCOL, st.body), Spacer(1, 2 * mm),
        text(f"Generated from the EDC's form registry at / 生成时间: {printed_at}", st.small), Spacer(1, 10 * mm),
        text("Write legibly in black ink. Correct by a single line through the error, then the new value, "
             "your initials and the date; never obscure the original entry (ICH E6(R3) ALCOA+). / "
             "请用黑色墨水笔清晰填写。更正时在错误处划单线，写上正确值、签名缩写和日期，不得遮盖原记录。", st.body),
        Spacer(1, 8 * mm), heading("Contents", "目录", st.heading),
    ]
    story += [text(f"{i}. {form.label}", st.body) for i, form in enumerate(forms, 1)]
    return story


def _schedule(grid: ScheduleGrid, width: float, st: Styles) -> list[Flowable]:
    cell = ParagraphStyle("cell", parent=st.small, fontSize=7.5, leading=9.5)
    label_w = 40 * mm
    col = (width - label_w) / len(grid.visits)
    data: list[list[object]] = [[text("Visit / 访视", cell), *grid.visits],
                                [text("Window (days) / 窗口（天）", cell), *grid.windows]]
    commands: list[tuple] = [("BACKGROUND", (0, 0), (-1, 1), HEAD), ("FONTSIZE", (1, 0), (-1, -1), 7.5),
                             ("ALIGN", (1, 0), (-1, -1), "CENTER"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                             ("LEFTPADDING", (1, 0), (-1, -1), 1), ("RIGHTPADDING", (1, 0), (-1, -1), 1)]
    for r, (label, due) in enumerate(grid.rows, start=2):
        if isinstance(due, str):  # a log or any-visit form: one note across the row
            data.append([text(label, cell), text(due, cell)] + [""] * (len(grid.visits) - 1))
            commands += [("SPAN", (1, r), (-1, r)), ("BACKGROUND", (1, r), (-1, r), SHADE)]
        else:
            data.append([text(label, cell), *("X" if d else "" for d in due)])
    return [heading("Schedule of assessments", "访视及评估计划", st.heading),
            text("X: the form is due at the visit (protocol 2.6). / X：该访视应填写此表。", st.small),
            Spacer(1, 2 * mm), _grid(data, [label_w] + [col] * len(grid.visits), commands),
            Spacer(1, 3 * mm), heading("Procedures", "操作", st.heading),
            *(text(line, st.small) for line in grid.procedures)]


def _blank_form(number: int, form: BlankForm, width: float, st: Styles) -> list[Flowable]:
    line = [("LINEBELOW", (1, 0), (1, -1), 0.6, colors.black), ("LINEBELOW", (3, 0), (3, -1), 0.6, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "BOTTOM")]
    ident = _grid([[text("Participant ID / 受试者编号", st.label), "", text("Visit / 访视", st.label), ""],
                   [text("Completed by / 填写人", st.label), "", text("Date / 日期", st.label), ""]],
                  [46 * mm, width / 2 - 46 * mm, 24 * mm, width / 2 - 24 * mm], line, min_heights=[9 * mm, 9 * mm],
                  grid=False)
    hint = ParagraphStyle("hint", parent=st.small, textColor=colors.HexColor("#9a9a9a"))
    rows: list[list[object]] = [[text("#", st.label), text("Item / 项目", st.label), text("Entry / 填写", st.label)]]
    heights = [0.0]
    for i, f in enumerate(form.fields, 1):
        item: list[Flowable] = [text(f.label, st.body)] + ([text(f.help_text, st.small)] if f.help_text else [])
        rows.append([str(i), item, text("\n".join(f.answers), st.body) if f.answers else text(f.hint, hint)])
        heights.append(0 if f.answers else (22 if f.tall else 10) * mm)
    table = _grid(rows, [8 * mm, 86 * mm, width - 94 * mm], [("BACKGROUND", (0, 0), (-1, 0), HEAD),
                                                              ("FONTSIZE", (0, 1), (0, -1), 8)],
                  min_heights=heights, repeat=1)
    return [text(f"{number}. {form.label}", st.title), text(form.when, st.small), Spacer(1, 3 * mm), ident,
            Spacer(1, 4 * mm), table]


def render_blank_book(grid: ScheduleGrid, forms: list[BlankForm], *, printed_at: str) -> bytes:
    st = make_styles(9)
    width = content_width(A4, MARGIN)
    story = _cover(forms, printed_at, st) + [PageBreak()] + _schedule(grid, width, st)
    for number, form in enumerate(forms, 1):
        story += [PageBreak(), *_blank_form(number, form, width, st)]
    return build_document(story, title="Blank CRF book", subject="Case report form book, protocol 1.0",
                          margin=MARGIN, on_page=footer(printed_at, left="Blank CRF book / 空白病例报告表"))


def blank_crf_book_pdf() -> bytes:
    from django.utils import timezone

    return render_blank_book(schedule_grid(), blank_forms(), printed_at=timezone.localtime().strftime(FMT))


# ---- the filled casebook --------------------------------------------------------------------

def _form_table(f: FormData, width: float, st: Styles) -> Table:
    rows: list[list[object]] = [[text(f.title, _sub(st)), text(f"Status / 状态: {f.status}", st.body)]]
    rows += [[text(k, st.label), text(v, st.body)] for k, v in f.values]
    first_note = len(rows)
    notes = [("Warnings saved anyway / 保存时的警告", w) for w in f.warnings]
    notes += [("Query / 质疑", q) for q in f.queries]
    notes.append(("Source data verification / 源数据核查", f.verification))
    notes += [("Electronic signature / 电子签名", s) for s in f.signatures or ["Not signed / 未签名"]]
    rows += [[text(k, st.label), text(v, st.body)] for k, v in notes]
    return _grid(rows, [62 * mm, width - 62 * mm], [
        ("BACKGROUND", (0, 0), (-1, 0), HEAD), ("BACKGROUND", (0, 1), (0, first_note - 1), SHADE),
        ("BACKGROUND", (0, first_note), (-1, -1), NOTE)], repeat=1)  # the form's title on every page


def _audit_table(d: CasebookData, width: float, st: Styles) -> Table:
    cell = ParagraphStyle("audit", parent=st.small, fontSize=7, leading=9)
    widths = [22 * mm, 24 * mm, 30 * mm, 0.0, 30 * mm]
    widths[3] = width - sum(widths)
    head = ["When / 时间", "Who / 操作人", "Record / 记录", "What / 变更内容", "Why / 原因"]
    rows: list[list[object]] = [[text(h, cell) for h in head]]
    rows += [[text(r.when, cell), text(r.who, cell), text(r.record, cell), text(r.changes, cell),
              text(r.reason, cell)] for r in d.audit]
    return _grid(rows, widths, [("BACKGROUND", (0, 0), (-1, 0), HEAD)], repeat=1)


def render_casebook(d: CasebookData) -> bytes:
    st = make_styles(9)
    width = content_width(A4, MARGIN)
    story: list[Flowable] = [
        heading("Participant casebook", "受试者病例报告表", st.title), text(TRIAL, st.small),
        text(PROTOCOL, st.small), Spacer(1, 3 * mm),
        kv_table([(k, printable(v)) for k, v in d.header + [("Printed by / 打印人", d.printed_by)]], width=width,
                 label_width=62 * mm, st=st),
        Spacer(1, 2 * mm),
        text("The allocation is not printed: the reader of this casebook is blinded (protocol 2.8). / "
             "本病例报告表不含分组信息（盲态）。", st.small),
    ]
    for v in d.visits:
        story += [text(v.title, st.heading), text(v.detail, st.small), Spacer(1, 2 * mm)]
        if not v.forms:
            story.append(text("No form saved / 无已保存的表单", st.small))
        for f in v.forms:
            story += [_form_table(f, width, st), Spacer(1, 3 * mm)]
    story += [PageBreak(), heading("Log forms", "记录表", st.heading)]
    if not d.logs:
        story.append(text("No entry / 无记录", st.small))
    for f in d.logs:
        story += [_form_table(f, width, st), Spacer(1, 3 * mm)]
    story += [PageBreak(), heading("Appendix: audit trail", "附录：稽查轨迹", st.heading),
              text("Every creation and change of the participant's records: who, when (site time), what and why "
                   "(21 CFR 11.10(e); ICH E6(R3) 4.2). / 受试者所有记录的创建与修改：操作人、时间、内容及原因。",
                   st.small), Spacer(1, 2 * mm), _audit_table(d, width, st)]
    left = printable(f"{d.participant_code} · Printed by / 打印人: {d.printed_by}")
    return build_document(story, title=f"Casebook {d.participant_code}", subject="Participant casebook",
                          margin=MARGIN, on_page=footer(d.printed_at, left=left))


def casebook_pdf(participant, *, reader) -> bytes:
    """The participant's filled casebook; `reader` is the requesting (blinded) user, printed as such."""
    return render_casebook(gather_casebook(participant, reader=reader))
