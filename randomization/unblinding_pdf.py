"""Emergency unblinding record (protocol 2.8), one A4 page for the source documents and the EMR.

No Django imports. The caller decides whether this reader may see the allocation: `arm_label=None`
prints a fixed "withheld" sentence instead, and the allocation never appears in the PDF metadata.
"""
from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, ListFlowable, ListItem, Spacer, Table

from edc.pdf import (
    Styles,
    bilingual_heading,
    build_document,
    content_width,
    footer,
    kv_table,
    styles,
    table,
    text,
)

WITHHELD = "Allocation withheld: this reader is blinded / 分组已隐藏：阅读者处于盲态"
MARGIN = 18 * mm


@dataclass(frozen=True)
class UnblindingRecord:
    participant_code: str
    blind_code: str
    site_name: str
    requested_by: str
    requested_at: str
    reason: str
    # The allocation as revealed to the requester; None when the reader may not see it.
    arm_label: str | None
    # e.g. ["Sponsor safety contact <sponsor@example.org> — e-mail sent 2026-11-25 09:31", ...]
    notified: list[str]
    printed_at: str
    printed_by: str


def _notifications(record: UnblindingRecord, st_body: ParagraphStyle) -> Flowable:
    if not record.notified:
        return text("None recorded / 无记录", st_body)
    items = [ListItem(text(line, st_body), leftIndent=10) for line in record.notified]
    return ListFlowable(items, bulletType="bullet", start="•", leftIndent=10, bulletFontName=st_body.fontName)


def _signature_block(width: float, st: Styles) -> Table:
    rows = [
        [text("Investigator signature / 研究者签名", st.label), "", text("Date / 日期", st.label), ""],
        [text("Name (print) / 姓名（正楷）", st.label), "", text("Time / 时间", st.label), ""],
    ]
    cols = [60 * mm, width - 60 * mm - 24 * mm - 38 * mm, 24 * mm, 38 * mm]
    return table(rows, cols, [
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("LINEBELOW", (1, 0), (1, -1), 0.6, colors.black),
        ("LINEBELOW", (3, 0), (3, -1), 0.6, colors.black),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ], row_heights=[14 * mm, 11 * mm])


def unblinding_record_pdf(record: UnblindingRecord) -> bytes:
    st = styles()
    width = content_width(A4, MARGIN)
    if record.arm_label is None:
        allocation: Flowable = text(WITHHELD.replace(" / ", " /\n"), st.body)
    else:
        allocation = text(record.arm_label, st.heading)
    story: list[Flowable] = [
        bilingual_heading("Emergency unblinding record", "紧急揭盲记录", st.title),
        text("Protocol 2.8 — file in the participant's source documents and electronic medical record. / "
             "方案 2.8 — 请归入受试者原始文件及电子病历。", st.small),
        Spacer(1, 5 * mm),
        kv_table([
            ("Participant ID / 受试者编号", record.participant_code),
            ("Blind code / 盲码", record.blind_code),
            ("Site / 研究中心", record.site_name),
            ("Requested by / 申请人", record.requested_by),
            ("Date and time / 日期时间", record.requested_at),
            ("Reason / 揭盲原因", record.reason),
            ("Allocation / 分组", allocation),
        ], width=width, st=st),
        bilingual_heading("Notifications", "通知记录", st.heading),
        _notifications(record, st.body),
        Spacer(1, 4 * mm),
        bilingual_heading("Investigator", "研究者确认", st.heading),
        text("I confirm that unblinding was necessary for the participant's clinical management. / "
             "本人确认，揭盲为受试者临床处理所必需。", st.body),
        Spacer(1, 2 * mm),
        _signature_block(width, st),
    ]
    return build_document(
        story,
        title=f"Emergency unblinding record {record.participant_code}",
        subject="Emergency unblinding record (protocol 2.8)",
        margin=MARGIN,
        on_page=footer(record.printed_at, left=f"Printed by / 打印人: {record.printed_by}"),
    )
