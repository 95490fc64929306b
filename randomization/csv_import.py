"""Parse and check the statistician's allocation CSV before anything is saved (protocol 2.7).

Protocol 2.7: "the system must be able to import such a pre-generated list" (the statistician's SPSS
sequence with blind codes). This is the dry run: `parse_allocation_csv` never touches the database; the
Django layer shows the report, stores nothing unless `report.ok`, and keeps `sha256` to prove which file
was loaded. Issues carry a code and params; English text comes from MESSAGES so views translate by code.

Format: UTF-8 (a BOM, as Excel's "CSV UTF-8" writes, is accepted), comma-separated, a header row with
exactly the columns stratum, sequence, blind_code, arm in any order (case and surrounding spaces
ignored). Fully blank rows (Excel's trailing ",,,") are skipped; line numbers are physical lines of the
file, header = line 1. Blind codes are compared case-insensitively (a clinician reading "ab12" and
"AB12" off a bag label would take them for the same) but stored as written. Imported rows get block 0.
Balance is a warning, not an error: the protocol's own odd/even scheme does not guarantee 1:1 (§9).
"""
import csv
import hashlib
import io
import re
from collections.abc import Collection
from dataclasses import dataclass, field

from .sequence import ListRow

COLUMNS = ("stratum", "sequence", "blind_code", "arm")
MAX_BYTES = 1024 * 1024  # 1 MB: a 96-row list is ~3 KB
MAX_ROWS = 10_000
MAX_LISTED_GAPS = 10
ARM_ALIASES = {"msc": "msc", "uc-msc": "msc", "placebo": "placebo"}
_BLIND_CODE = re.compile(r"[A-Za-z0-9-]{1,20}")
_SEQUENCE = re.compile(r"[0-9]+")  # ASCII digits only: no signs, decimals or full-width digits
MAX_SEQUENCE = 2**31 - 1  # AllocationRow.sequence is a PositiveIntegerField
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

MESSAGES: dict[str, str] = {
    "too_large": "The file is too large: at most {max_bytes} bytes and {max_rows} rows are accepted.",
    "encoding": "The file is not UTF-8 text (invalid byte at position {position}). "
    "Save it from Excel as \"CSV UTF-8\".",
    "empty": "The file is empty or contains no allocation rows.",
    "binary": "Line {line}: the file contains control characters; it is not a CSV text file.",
    "malformed": "Line {line}: the CSV cannot be read (for example an unclosed quotation mark).",
    "columns": "The header must have exactly the columns stratum, sequence, blind_code, arm "
    "(comma-separated). Missing: {missing}. Unexpected: {extra}.",
    "row_columns": "Line {line}: {found} values, but the header has {expected} columns.",
    "unknown_stratum": "Line {line}: unknown stratum {stratum!r}.",
    "bad_sequence": "Line {line}: sequence {value!r} is not a positive whole number.",
    "unknown_arm": "Line {line}: arm {value!r} is not msc (uc-MSC) or placebo.",
    "bad_blind_code": "Line {line}: blind code {value!r} must be 1 to 20 characters from A-Z, a-z, 0-9 "
    "and '-'.",
    "duplicate_blind_code": "Line {line}: blind code {code!r} already appears on line {first_line}.",
    "blind_code_exists": "Line {line}: blind code {code!r} is already used in an existing allocation list.",
    "duplicate_sequence": "Line {line}: stratum {stratum!r} sequence {sequence} already appears on line "
    "{first_line}.",
    "gap": "Stratum {stratum!r}: {missing_count} sequence number(s) missing: {missing}.",
    "short_stratum": "Stratum {stratum!r}: {rows} rows, but its capacity is {capacity}.",
    "long_stratum": "Stratum {stratum!r}: {rows} rows for a capacity of {capacity}; the extra rows are "
    "spares.",
    "imbalance": "Stratum {stratum!r}: arms are not 1:1 ({msc} msc, {placebo} placebo).",
}


@dataclass(frozen=True)
class Issue:
    code: str  # a key of MESSAGES
    line: int | None  # physical line in the file (header = 1); None for file- or stratum-level issues
    params: dict = field(default_factory=dict)

    @property
    def message(self) -> str:
        shown = {k: _show(v) for k, v in self.params.items()}
        return MESSAGES[self.code].format(line=self.line, **shown)


def _show(value: object) -> object:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "none"
    return value


@dataclass
class ImportReport:
    rows: list[ListRow]  # valid rows only, in file order
    errors: list[Issue]
    warnings: list[Issue]
    sha256: str  # hex digest of the raw bytes as uploaded

    @property
    def ok(self) -> bool:
        return not self.errors


def parse_allocation_csv(
    data: bytes, *, strata_capacity: dict[str, int], existing_blind_codes: Collection[str] = ()
) -> ImportReport:
    """Check `data` against the strata and existing codes; return a report, never raise on bad input."""
    report = ImportReport(rows=[], errors=[], warnings=[], sha256=hashlib.sha256(data).hexdigest())
    records = _read(data, report.errors)
    if records is None:
        return report
    _check_rows(records, strata_capacity, existing_blind_codes, report)
    return report


def _read(data: bytes, errors: list[Issue]) -> list[tuple[int, dict[str, str]]] | None:
    """Decode and split into (line, {column: value}) records, or append a file-level error."""
    too_large = Issue("too_large", None, {"max_bytes": MAX_BYTES, "max_rows": MAX_ROWS})
    if len(data) > MAX_BYTES:
        errors.append(too_large)
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        errors.append(Issue("encoding", None, {"position": exc.start}))
        return None
    if bad := _CONTROL.search(text):
        errors.append(Issue("binary", text.count("\n", 0, bad.start()) + 1, {}))
        return None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    records: list[tuple[int, dict[str, str]]] = []
    line = data_rows = 0
    try:
        for values in reader:
            line, start = reader.line_num, line + 1  # a quoted field may span lines: report its first
            values = [v.strip() for v in values]
            if not any(values):
                continue
            if header is None:
                header = _header(values, start, errors)
                if header is None:
                    return None
                continue
            data_rows += 1
            if data_rows > MAX_ROWS:
                errors.append(too_large)
                return None
            while len(values) > len(header) and not values[-1]:
                values.pop()  # empty cells beyond the header (Excel's stray commas)
            if len(values) > len(header):
                errors.append(Issue("row_columns", start, {"found": len(values), "expected": len(header)}))
                continue
            values += [""] * (len(header) - len(values))  # short rows: missing cells are empty
            records.append((start, dict(zip(header, values, strict=True))))
    except csv.Error:
        errors.append(Issue("malformed", line + 1, {}))  # first line of the record that failed
        return None
    if not records:
        errors.append(Issue("empty", None, {}))
        return None
    return records


def _header(values: list[str], line: int, errors: list[Issue]) -> list[str] | None:
    names = [v.lower() for v in values]
    while names and not names[-1]:
        names.pop()
    missing = [c for c in COLUMNS if c not in names]
    extra = [n for n in names if n not in COLUMNS]
    extra += sorted({n for n in names if n in COLUMNS and names.count(n) > 1})  # a column given twice
    if missing or extra:
        errors.append(Issue("columns", line, {"missing": missing, "extra": extra, "found": names}))
        return None
    return names


def _check_rows(
    records: list[tuple[int, dict[str, str]]],
    strata_capacity: dict[str, int],
    existing_blind_codes: Collection[str],
    report: ImportReport,
) -> None:
    errors = report.errors
    existing = {code.upper() for code in existing_blind_codes}
    code_lines: dict[str, int] = {}
    # stratum -> sequence -> (line, arm or None); rows with a bad arm or code still count for gaps
    seen: dict[str, dict[int, tuple[int, str | None]]] = {s: {} for s in strata_capacity}
    for line, rec in records:
        before = len(errors)
        stratum, raw_seq, code, raw_arm = rec["stratum"], rec["sequence"], rec["blind_code"], rec["arm"]
        if stratum not in strata_capacity:
            errors.append(Issue("unknown_stratum", line, {"stratum": stratum}))
        sequence = _sequence(raw_seq)
        if sequence < 1:
            errors.append(Issue("bad_sequence", line, {"value": raw_seq}))
        arm = ARM_ALIASES.get(raw_arm.lower())
        if arm is None:
            errors.append(Issue("unknown_arm", line, {"value": raw_arm}))
        if not _BLIND_CODE.fullmatch(code):
            errors.append(Issue("bad_blind_code", line, {"value": code}))
        elif code.upper() in code_lines:
            first = code_lines[code.upper()]
            errors.append(Issue("duplicate_blind_code", line, {"code": code, "first_line": first}))
        else:
            code_lines[code.upper()] = line
            if code.upper() in existing:
                errors.append(Issue("blind_code_exists", line, {"code": code}))
        if stratum in strata_capacity and sequence >= 1:
            if sequence in seen[stratum]:
                first = seen[stratum][sequence][0]
                params = {"stratum": stratum, "sequence": sequence, "first_line": first}
                errors.append(Issue("duplicate_sequence", line, params))
            else:
                seen[stratum][sequence] = (line, arm)
        if len(errors) == before and arm is not None:
            report.rows.append(ListRow(stratum, sequence, code, arm, 0))
    for stratum, capacity in strata_capacity.items():
        _check_stratum(stratum, capacity, seen[stratum], report)


def _sequence(raw: str) -> int:
    """The sequence number, or 0 when it is not one. Length is checked before int(): Python refuses to
    convert more than 4300 digits (ValueError), and a number the database column cannot hold would fail
    at import instead of in this dry run."""
    if not _SEQUENCE.fullmatch(raw) or len(raw.lstrip("0")) > len(str(MAX_SEQUENCE)):
        return 0
    number = int(raw)
    return number if number <= MAX_SEQUENCE else 0


def _check_stratum(
    stratum: str, capacity: int, rows: dict[int, tuple[int, str | None]], report: ImportReport
) -> None:
    count = len(rows)
    if rows:
        missing_count = max(rows) - count
        if missing_count:
            params = {"stratum": stratum, "missing": _first_missing(rows), "missing_count": missing_count}
            report.errors.append(Issue("gap", None, params))
    if count < capacity:
        report.errors.append(Issue("short_stratum", None, {"stratum": stratum, "rows": count,
                                                           "capacity": capacity}))
    elif count > capacity:  # spare rows are allowed (e.g. for replacements) but worth a look
        report.warnings.append(Issue("long_stratum", None, {"stratum": stratum, "rows": count,
                                                            "capacity": capacity}))
    arms = [arm for _, arm in rows.values()]
    msc, placebo = arms.count("msc"), arms.count("placebo")
    if msc != placebo:
        report.warnings.append(Issue("imbalance", None, {"stratum": stratum, "msc": msc, "placebo": placebo}))


def _first_missing(present: Collection[int]) -> list[int]:
    """Up to MAX_LISTED_GAPS missing numbers below max(present), without building range(1, max)."""
    missing: list[int] = []
    expected = 1
    for number in sorted(present):
        while expected < number and len(missing) < MAX_LISTED_GAPS:
            missing.append(expected)
            expected += 1
        if len(missing) == MAX_LISTED_GAPS:
            break
        expected = number + 1
    return missing
