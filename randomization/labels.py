"""Infusion-bag label (protocol 2.8): identical wording for uc-MSC and placebo bags.

There is deliberately no arm parameter anywhere in this module: the only things that differ between
two labels are the participant's fields (code, blind code, infusion, people, times), never the arm.
No Django imports: the caller formats times in site time before building the `BagLabel`.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from edc.pdf import FONT_NAME, draw_bold, draw_fit, fit_size, new_canvas

LABEL_SIZE = (100 * mm, 70 * mm)
MARGIN = 4 * mm

PRODUCT_ZH = "脐带间充质干细胞 / 安慰剂 100 mL 静脉输注，时间 > 30 分钟"
PRODUCT_EN = "uc-MSC / placebo 100 mL IV over > 30 min"
TRIAL_USE = "仅供临床研究使用 / For clinical trial use only"


@dataclass(frozen=True)
class BagLabel:
    participant_code: str  # e.g. "BJ-001"
    blind_code: str  # e.g. "K7QM-4R2X"
    infusion: str  # "month 0" or "month 6"
    site_name: str
    prepared_at: str  # already formatted in site time, e.g. "2026-11-25 09:30"
    prepared_by: str
    checked_by: str
    expires_at: str  # formatted string


def infusion_text(infusion: str) -> str:
    """'month 6' -> '第6个月输注 / Infusion: month 6'."""
    match = re.fullmatch(r"month (\d+)", infusion.strip())
    if not match:
        raise ValueError(f"infusion must look like 'month 0' or 'month 6', not {infusion!r}")
    return f"第{match.group(1)}个月输注 / Infusion: month {match.group(1)}"


def _rule(canvas: Canvas, y: float, width: float = 0.6) -> None:
    canvas.setLineWidth(width)
    canvas.line(MARGIN, y, LABEL_SIZE[0] - MARGIN, y)


def _field(canvas: Canvas, x: float, y: float, key: str, value: str, max_width: float) -> None:
    """'key: value' with the key in grey, both shrunk together if the value is long."""
    size = fit_size(f"{key}: {value}", 7.5, max_width)
    canvas.setFont(FONT_NAME, size)
    canvas.setFillColor(colors.HexColor("#444444"))
    canvas.drawString(x, y, f"{key}:")
    canvas.setFillColor(colors.black)
    canvas.drawString(x + canvas.stringWidth(f"{key}: ", FONT_NAME, size), y, value)


def _draw(canvas: Canvas, label: BagLabel) -> None:
    width, height = LABEL_SIZE
    inner = width - 2 * MARGIN
    top = height - MARGIN

    # Header: blind code (large, bold) and participant on the left, Code 128 of the blind code on the right.
    barcode = Code128(label.blind_code, barWidth=0.28 * mm, barHeight=10 * mm, humanReadable=False,
                      lquiet=2 * mm, rquiet=0)
    barcode.drawOn(canvas, width - MARGIN - barcode.width, top - 10 * mm)
    left_width = inner - barcode.width - 2 * mm
    canvas.setFont(FONT_NAME, 6.5)
    canvas.drawString(MARGIN, top - 6, "盲码 / Blind code")
    draw_bold(canvas, MARGIN, top - 24, label.blind_code, fit_size(label.blind_code, 18, left_width))
    canvas.setFont(FONT_NAME, 6.5)
    canvas.drawString(MARGIN, top - 37, "受试者编号 / Participant ID")
    draw_bold(canvas, MARGIN + 80, top - 37, label.participant_code,
              fit_size(label.participant_code, 11, inner - 80))
    _rule(canvas, top - 44)

    # Fixed product wording: the same on every bag.
    y = top - 57
    draw_fit(canvas, MARGIN, y, PRODUCT_ZH, 9, inner)
    draw_fit(canvas, MARGIN, y - 12.5, PRODUCT_EN, 9, inner)
    infusion = infusion_text(label.infusion)
    draw_bold(canvas, MARGIN, y - 25.5, infusion, fit_size(infusion, 9, inner))
    draw_fit(canvas, MARGIN, y - 38, TRIAL_USE, 8, inner)
    _rule(canvas, y - 44, 0.4)

    # Preparation record.
    half = inner / 2
    y -= 56
    _field(canvas, MARGIN, y, "研究中心 / Site", label.site_name, inner)
    _field(canvas, MARGIN, y - 11, "配制者 / Prepared by", label.prepared_by, half - 2 * mm)
    _field(canvas, MARGIN + half, y - 11, "配制时间 / Prepared at", label.prepared_at, half)
    _field(canvas, MARGIN, y - 22, "核对者 / Checked by", label.checked_by, half - 2 * mm)
    _field(canvas, MARGIN + half, y - 22, "有效期至 / Expires", label.expires_at, half)

    # Blank administration line, filled in by hand at the bedside.
    y = MARGIN + 4
    canvas.setFont(FONT_NAME, 7.5)
    canvas.setLineWidth(0.5)
    for key, x0, x1 in (("输注者 / Administered by:", MARGIN, MARGIN + inner * 0.49),
                        ("日期时间 / Date & time:", MARGIN + inner * 0.52, width - MARGIN)):
        canvas.drawString(x0, y, key)
        canvas.line(x0 + canvas.stringWidth(key, FONT_NAME, 7.5) + 2, y - 1, x1, y - 1)


def bag_label_pdf(label: BagLabel) -> bytes:
    """One 100 mm × 70 mm label. Takes no arm, by design: the wording is identical for both arms."""
    buffer = io.BytesIO()
    canvas = new_canvas(buffer, title=f"Infusion bag label {label.participant_code}",
                        subject="Blinded investigational product label (protocol 2.8)", pagesize=LABEL_SIZE)
    _draw(canvas, label)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
