"""Shared reportlab helpers for the trial's bilingual (Chinese + English) PDFs.

No Django imports: callers format every value (dates in site time, names) before passing it in.
All text is set in WenQuanYi Micro Hei, shipped in edc/fonts and embedded (subset) in every PDF,
so the documents render the same on any machine. The font has no bold face; `draw_bold` strokes
the glyph outlines instead.
"""
from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import registerFontFamily
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

FONT_NAME = "WenQuanYiMicroHei"
FONT_PATH = Path(__file__).resolve().parent / "fonts" / "wqy-microhei.ttc"
AUTHOR = "Trial EDC"
FRAME_PADDING = 6  # reportlab's default Frame padding (points) inside the page margins
LANG = "zh-CN"  # documents are bilingual; Chinese is the primary language at the site

PageCallback = Callable[[Canvas, SimpleDocTemplate], None]


def register_fonts() -> str:
    """Register the embedded CJK font once (idempotent) and return its reportlab name."""
    if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT_NAME, str(FONT_PATH), subfontIndex=0))
        # One face only: map <b>/<i> markup onto it rather than failing.
        registerFontFamily(FONT_NAME, normal=FONT_NAME, bold=FONT_NAME, italic=FONT_NAME,
                           boldItalic=FONT_NAME)
    return FONT_NAME


def pdf_metadata(title: str, subject: str) -> dict[str, str]:
    """Document-information fields for every PDF. Never put an allocation in here."""
    return {"title": title, "author": AUTHOR, "subject": subject, "creator": AUTHOR}


def new_canvas(buffer: io.BytesIO, *, title: str, subject: str, pagesize: tuple[float, float] = A4) -> Canvas:
    """A canvas with the font registered and the metadata set, for hand-placed layouts (labels)."""
    register_fonts()
    canvas = Canvas(buffer, pagesize=pagesize, initialFontName=FONT_NAME, lang=LANG)
    meta = pdf_metadata(title, subject)
    canvas.setTitle(meta["title"])
    canvas.setAuthor(meta["author"])
    canvas.setSubject(meta["subject"])
    canvas.setCreator(meta["creator"])
    return canvas


def content_width(pagesize: tuple[float, float] = A4, margin: float = 18 * mm) -> float:
    """Usable width for flowables (tables) in a `build_document` page with this margin."""
    return pagesize[0] - 2 * margin - 2 * FRAME_PADDING


def build_document(
    story: Sequence[Flowable],
    *,
    title: str,
    subject: str,
    pagesize: tuple[float, float] = A4,
    margin: float = 18 * mm,
    on_page: PageCallback | None = None,
) -> bytes:
    """Build a platypus story into PDF bytes; `on_page` (e.g. `footer(...)`) runs on every page."""
    register_fonts()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=pagesize, leftMargin=margin, rightMargin=margin,
        topMargin=margin, bottomMargin=margin + 6 * mm, initialFontName=FONT_NAME, lang=LANG,
        displayDocTitle=True, **pdf_metadata(title, subject),
    )
    callback = on_page or (lambda canvas, doc: None)
    doc.build(list(story), onFirstPage=callback, onLaterPages=callback)
    return buffer.getvalue()


def footer(printed_at: str, left: str = "") -> PageCallback:
    """Page callback: `left` text and the print time on the left, 'Page N / 第 N 页' on the right."""
    def draw(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        page = canvas.getPageNumber()
        y = doc.bottomMargin - 9 * mm
        x0, x1 = doc.leftMargin + FRAME_PADDING, doc.pagesize[0] - doc.rightMargin - FRAME_PADDING
        canvas.saveState()
        canvas.setStrokeColor(colors.grey)
        canvas.setLineWidth(0.5)
        canvas.line(x0, y + 4 * mm, x1, y + 4 * mm)
        canvas.setFont(FONT_NAME, 8)
        printed = f"Printed at / 打印时间: {printed_at}"
        canvas.drawString(x0, y, f"{left}  ·  {printed}" if left else printed)
        canvas.drawRightString(x1, y, f"Page {page} / 第 {page} 页")
        canvas.restoreState()
    return draw


@dataclass(frozen=True)
class Styles:
    title: ParagraphStyle
    heading: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    label: ParagraphStyle


def styles(size: float = 10) -> Styles:
    """Paragraph styles in the CJK font; CJK wrapping breaks between Chinese glyphs, not in Latin words."""
    font = register_fonts()

    def style(name: str, rel: float, **kw: object) -> ParagraphStyle:
        return ParagraphStyle(name, fontName=font, fontSize=size * rel, leading=size * rel * 1.35,
                              wordWrap="CJK", **kw)

    return Styles(
        title=style("title", 1.6, spaceAfter=2 * mm),
        heading=style("heading", 1.2, spaceBefore=4 * mm, spaceAfter=2 * mm),
        body=style("body", 1.0),
        small=style("small", 0.85, textColor=colors.HexColor("#444444")),
        label=style("label", 0.9, textColor=colors.HexColor("#333333")),
    )


def text(value: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain (user-entered) text: markup characters are escaped, newlines kept."""
    return Paragraph(escape(value).replace("\n", "<br/>"), style)


def bilingual_heading(en: str, zh: str, style: ParagraphStyle) -> Paragraph:
    """'English / 中文' heading in one paragraph."""
    return text(f"{en} / {zh}", style)


def kv_table(
    rows: Sequence[tuple[str, str | Flowable]],
    *,
    width: float,
    label_width: float = 55 * mm,
    st: Styles | None = None,
) -> Table:
    """Two-column key–value table with a grid; string values are escaped, flowables used as-is."""
    st = st or styles()
    data = [
        [text(key, st.label), value if isinstance(value, Flowable) else text(value, st.body)]
        for key, value in rows
    ]
    return table(data, [label_width, width - label_width], [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
        ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f0f0f0")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ])


def table(
    data: Sequence[Sequence[object]],
    col_widths: Sequence[float],
    commands: Sequence[tuple[object, ...]] = (),
    row_heights: Sequence[float] | None = None,
) -> Table:
    """A Table whose default cell font is the CJK font (reportlab would otherwise emit Helvetica)."""
    result = Table(data, colWidths=list(col_widths), rowHeights=row_heights)
    result.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), register_fonts()), *commands]))
    return result


def draw_bold(canvas: Canvas, x: float, y: float, value: str, size: float, stroke: float = 0.04) -> None:
    """Draw text in a faux bold (fill + stroke of the outlines), the font having no bold face."""
    canvas.saveState()
    canvas.setLineWidth(size * stroke)
    obj = canvas.beginText(x, y)
    obj.setFont(FONT_NAME, size)
    obj.setTextRenderMode(2)
    obj.textOut(value)
    canvas.drawText(obj)
    canvas.restoreState()


def fit_size(value: str, size: float, max_width: float, min_size: float = 4.5) -> float:
    """Largest font size <= `size` at which `value` fits in `max_width`; ValueError if below `min_size`."""
    width = pdfmetrics.stringWidth(value, FONT_NAME, size)
    if width <= max_width:
        return size
    fitted = size * max_width / width
    if fitted < min_size:
        raise ValueError(f"text too long for the space available: {value!r}")
    return fitted


def draw_fit(canvas: Canvas, x: float, y: float, value: str, size: float, max_width: float) -> None:
    """Draw one line, shrinking the font so it never runs past `max_width` (never truncates)."""
    canvas.setFont(FONT_NAME, fit_size(value, size, max_width))
    canvas.drawString(x, y, value)
