"""Bag label and emergency unblinding record PDFs: embedded CJK font, wording, blinding. No database."""
from __future__ import annotations

import dataclasses
import inspect
import io
import re

import pytest
from pypdf import PdfReader

from edc.pdf import FONT_PATH, register_fonts
from randomization.labels import BagLabel, bag_label_pdf
from randomization.unblinding_pdf import WITHHELD, UnblindingRecord, unblinding_record_pdf

LABEL = BagLabel(
    participant_code="BJ-001", blind_code="K7QM-4R2X", infusion="month 0",
    site_name="Chinese PLA General Hospital, Beijing", prepared_at="2026-11-25 09:30",
    prepared_by="Wang Li 王丽", checked_by="Zhang Wei 张伟", expires_at="2026-11-25 15:30",
)
RECORD = UnblindingRecord(
    participant_code="BJ-001", blind_code="K7QM-4R2X", site_name="Chinese PLA General Hospital, Beijing",
    requested_by="Dr Li Ming 李明", requested_at="2026-11-25 09:28",
    reason="Suspected anaphylaxis <during infusion> & ICU transfer",
    arm_label="uc-MSC (active)",
    notified=["Sponsor safety contact <sponsor@example.org> — e-mail sent 2026-11-25 09:31"],
    printed_at="2026-11-25 09:35", printed_by="Dr Li Ming 李明",
)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def flat(value: str) -> str:
    """Text with all whitespace removed, so line wrapping cannot hide a phrase."""
    return re.sub(r"\s+", "", value)


def assert_embedded_cjk_font(data: bytes) -> None:
    assert data.startswith(b"%PDF")
    assert b"/FontFile2" in data
    base_fonts = re.findall(rb"/BaseFont\s*/([^\s/\]>]+)", data)
    assert base_fonts and all(b"WenQuanYi" in name for name in base_fonts), base_fonts


def test_font_ships_in_repo_and_registration_is_idempotent():
    assert FONT_PATH.is_file()
    assert register_fonts() == register_fonts()


def test_label_pdf_embeds_font_and_has_bilingual_wording():
    data = bag_label_pdf(LABEL)
    assert_embedded_cjk_font(data)
    text = pdf_text(data)
    for expected in ("BJ-001", "K7QM-4R2X", "placebo 100 mL", "uc-MSC", "安慰剂", "脐带间充质干细胞",
                     "第0个月", "仅供临床研究使用", "For clinical trial use only", "Administered by",
                     "输注者", "王丽"):
        assert flat(expected) in flat(text), expected
    reader = PdfReader(io.BytesIO(data))
    assert reader.metadata.author == "Trial EDC"
    assert reader.pages[0].mediabox.width == pytest.approx(100 / 25.4 * 72)


def test_label_has_no_arm_input():
    assert list(inspect.signature(bag_label_pdf).parameters) == ["label"]
    assert not any("arm" in field.name for field in dataclasses.fields(BagLabel))


def test_two_labels_differ_only_in_participant_fields():
    other = dataclasses.replace(LABEL, participant_code="BJ-002", blind_code="P3ZD-9W6C")
    first, second = pdf_text(bag_label_pdf(LABEL)), pdf_text(bag_label_pdf(other))
    assert first != second
    assert first.replace("BJ-001", "<P>").replace("K7QM-4R2X", "<B>") == \
        second.replace("BJ-002", "<P>").replace("P3ZD-9W6C", "<B>")


def test_month_6_label_and_bad_infusion():
    assert "第6个月" in flat(pdf_text(bag_label_pdf(dataclasses.replace(LABEL, infusion="month 6"))))
    with pytest.raises(ValueError):
        bag_label_pdf(dataclasses.replace(LABEL, infusion="week 2"))


def test_unblinding_record_with_allocation():
    data = unblinding_record_pdf(RECORD)
    assert_embedded_cjk_font(data)
    text = flat(pdf_text(data))
    for expected in ("BJ-001", "K7QM-4R2X", "紧急揭盲记录", "Emergency unblinding record", "uc-MSC (active)",
                     "<during infusion> & ICU", "sponsor@example.org", "研究者签名", "Printed by", "李明"):
        assert flat(expected) in text, expected
    assert flat(WITHHELD) not in text
    metadata = PdfReader(io.BytesIO(data)).metadata
    assert metadata.author == "Trial EDC"
    assert "uc-MSC" not in f"{metadata.title} {metadata.subject}"


def test_unblinding_record_withheld_for_blinded_reader():
    data = unblinding_record_pdf(dataclasses.replace(RECORD, arm_label=None, notified=[]))
    assert_embedded_cjk_font(data)
    text = flat(pdf_text(data))
    assert flat(WITHHELD) in text
    assert "分组已隐藏：阅读者处于盲态" in text
    assert flat(RECORD.arm_label) not in text and "uc-MSC" not in text
    assert flat("None recorded / 无记录") in text
