"""CSV and XLSX exports of the LIS: default English or Chinese headers, or a saved column mapping
(docs/LAB_IMPORT.md "CSV and XLSX"). Encodings are detected by strict decoding — UTF-8 (with or
without BOM), then GB18030 (a superset of GBK) — and a file that decodes as neither, or decodes as
GB18030 without containing Chinese text, is refused rather than guessed."""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import datetime

from django.utils.translation import gettext_noop

from labs.explain import explain

from .records import LabRecord, SourceRefused, parse_date, parse_datetime

# canonical column -> accepted headers (English, Chinese)
DEFAULT_HEADERS: dict[str, tuple[str, ...]] = {
    "patient_id": ("patient_id", "病历号", "住院号", "门诊号"),
    "screening_number": ("screening_number", "筛选号"),
    "date_of_birth": ("date_of_birth", "出生日期"),
    "sample_collected_at": ("sample_collected_at", "采样时间"),
    "test_code": ("test_code", "项目代码"),
    "loinc": ("loinc", "loinc_code", "LOINC"),
    "test_name": ("test_name", "项目名称"),
    "result": ("result", "结果"),
    "unit": ("unit", "单位"),
    "reference_range": ("reference_range", "参考范围"),
    "abnormal_flag": ("abnormal_flag", "标志"),
    "report_id": ("report_id", "报告单号"),
    "status": ("status", "状态"),
}
REQUIRED = ("sample_collected_at", "result", "report_id")
_CJK = re.compile(r"[\u4e00-\u9fff]")
CORRECTED = {"corrected", "c", "amended", "更正", "已更正", "修正"}


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name) or SourceRefused."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SourceRefused(explain(gettext_noop("The file is UTF-16; save it as UTF-8 or GB18030 (GBK) CSV.")))
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError:
            raise SourceRefused(explain(gettext_noop(
                "The file starts with a UTF-8 mark but is not valid UTF-8."))) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise SourceRefused(explain(gettext_noop(
            "The file is neither UTF-8 nor GB18030/GBK; save it in one of these."))) from None
    if not _CJK.search(text):
        raise SourceRefused(explain(gettext_noop(
            "The file is not UTF-8, and read as GB18030/GBK it contains no Chinese text: "
            "its encoding is unexpected (Latin-1 or Windows-1252?). Save it as UTF-8.")))
    return text, "gb18030"


def header_index(headers: list[str], mapping: dict[str, str] | None) -> dict[str, int]:
    """canonical column -> position, from a saved mapping or the default header sets."""
    cleaned = [str(h or "").strip() for h in headers]
    index: dict[str, int] = {}
    for canonical, names in DEFAULT_HEADERS.items():
        wanted = (mapping[canonical],) if mapping and canonical in mapping else names
        for name in wanted:
            if name in cleaned:
                index[canonical] = cleaned.index(name)
                break
    missing = [c for c in REQUIRED if c not in index]
    if "patient_id" not in index and "screening_number" not in index:
        missing.append("patient_id")
    if "test_code" not in index and "loinc" not in index and "test_name" not in index:
        missing.append("test_code")
    if missing:
        raise SourceRefused(explain(gettext_noop(
            "Columns not found: %(columns)s. Use the default headers (English or Chinese) or a saved column "
            "mapping."), columns=", ".join(missing)))
    return index


def _cell(row, index, name) -> str:
    i = index.get(name)
    if i is None or i >= len(row) or row[i] is None:
        return ""
    value = row[i]
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, float) and value.is_integer() and name not in ("result",):
        return str(int(value))
    return str(value).strip()


def record_from_row(position: int, row, index: dict[str, int]) -> LabRecord:
    get = lambda name: _cell(row, index, name)  # noqa: E731
    codes = []
    if get("loinc"):
        codes.append(("loinc", get("loinc")))
    if get("test_code"):
        codes.append(("local", get("test_code").upper()))
    record = LabRecord(position=position, message_id=get("report_id"), report_id=get("report_id"),
                       hospital_ids=[get("patient_id")] if get("patient_id") else [],
                       screening_number=get("screening_number"), codes=codes, test_name=get("test_name"),
                       value_text=get("result"), unit=get("unit"), reference_range=get("reference_range"),
                       abnormal_flag=get("abnormal_flag"),
                       result_status="corrected" if get("status").lower() in CORRECTED else "final")
    try:
        record.collected_at = parse_datetime(get("sample_collected_at"))
        record.date_of_birth = parse_date(get("date_of_birth"))
    except ValueError as e:
        record.error = e.args[0]  # an Explanation (records.parse_datetime)
    if record.collected_at is None and not record.error:
        record.error = explain(gettext_noop("no collection time"))
    return record


def read_csv(data: bytes, mapping: dict[str, str] | None = None) -> tuple[str, Iterator[LabRecord]]:
    text, encoding = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        headers = next(reader)
    except StopIteration:
        raise SourceRefused(explain(gettext_noop("The file is empty."))) from None
    if len(headers) == 1 and "\t" in headers[0]:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t")
        headers = next(reader)
    index = header_index(headers, mapping)

    def rows():
        for n, row in enumerate(reader, start=1):
            if any(cell.strip() for cell in row):
                yield record_from_row(n, row, index)
    return encoding, rows()


def read_xlsx(path_or_file, mapping: dict[str, str] | None = None) -> Iterator[LabRecord]:
    from openpyxl import load_workbook  # read-only mode streams rows: flat memory for large sheets

    try:
        book = load_workbook(path_or_file, read_only=True, data_only=True)
    except Exception as e:  # zipfile.BadZipFile, KeyError, InvalidFileException...
        raise SourceRefused(explain(gettext_noop("Not a readable XLSX workbook (%(error)s)."),
                                    error=type(e).__name__)) from None
    rows = book.worksheets[0].iter_rows(values_only=True)
    try:
        headers = list(next(rows))
    except StopIteration:
        raise SourceRefused(explain(gettext_noop("The workbook's first sheet is empty."))) from None
    index = header_index(headers, mapping)

    def records():
        try:
            for n, row in enumerate(rows, start=1):
                if any(cell not in (None, "") for cell in row):
                    yield record_from_row(n, row, index)
        finally:
            book.close()
    return records()
