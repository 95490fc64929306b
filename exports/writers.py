"""Dataset file writers (no Django): CSV, codebook, SPSS .sav, CDISC ODM XML, and the ZIP bundling them.

    write_csv(dataset, stream) -> rows                    exports/writers_csv.py
    write_codebook(datasets, stream) -> variables         exports/writers_csv.py
    write_sav(dataset, path) -> rows                      exports/writers_spss.py
    write_dta(dataset, path) -> rows                      exports/writers_stata.py
    write_xpt(dataset, path) -> (rows, ASCII changes)     exports/writers_xpt.py
    write_odm(datasets, stream, *, study_oid, study_name) exports/writers_odm.py
    write_zip(datasets, path, ...) -> (sha256 hex, bytes) here

Every writer checks the datasets first (SPSS-safe column names, known types, value labels) and raises ValueError
naming the dataset, row number and column for a row of the wrong length or a value of the wrong type.
"""
import csv
import hashlib
import io
import os
import secrets
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from datetime import UTC, datetime

from exports.frames import FrameBuilder
from exports.spec import Dataset
from exports.writers_csv import (
    CsvRows,
    check_dataset,
    check_datasets,
    text_of,
    text_stream,
    typed_rows,
    write_codebook,
    write_csv,
)
from exports.writers_odm import OdmWriter, write_odm
from exports.writers_r import R_SCRIPT_NAME, r_script
from exports.writers_spss import write_sav
from exports.writers_stata import stata_names, write_dta
from exports.writers_xpt import member_names, write_xpt, xpt_names

__all__ = ["check_dataset", "check_datasets", "write_codebook", "write_csv", "write_dta", "write_odm", "write_sav",
           "write_xpt", "write_zip"]

FORMATS = ("csv", "sav", "dta", "xpt")  # every format a bundle may hold
FRAME_FORMATS = ("sav", "dta", "xpt")  # written from the dataset's frame (exports.frames)
# zlib level 1: measured by `make bench` at 10,000 participants, the default level 6 spent several times longer
# compressing for a zip about 10 % smaller (docs/EXPORTS.md, "Speed").
DEFLATE_LEVEL = 1
DEFAULT_FORMATS = ("csv", "sav")
FORMAT_LABELS = {"csv": "CSV", "sav": "SPSS (.sav)", "dta": "Stata (.dta)", "xpt": "SAS transport v5 (.xpt)"}
NAMES_FILE = "variable_names.csv"
Progress = Callable[[int, int, str], object]


def _readme(datasets: list[Dataset], formats: tuple[str, ...], rows: dict[str, int], study_oid: str,
            study_name: str, created: datetime, readme_extra: str,
            xpt_changes: dict[str, tuple[int, int]] | None = None) -> str:
    xpt_changes = xpt_changes or {}
    lines = [f"Data export: {study_name or study_oid} ({study_oid})",
             f"Created: {created.isoformat()} (UTC)", "", "Files:"]
    for ds in datasets:
        for fmt in formats:
            lines.append(f"  {ds.name}.{fmt}")
    lines += ["  codebook.csv  every variable: label (English, Chinese), type, unit, allowed values",
              "  odm.xml       all datasets as CDISC ODM 1.3 (metadata and clinical data)",
              f"  {R_SCRIPT_NAME}  loads every CSV into R with variable labels, value labels as factors, dates"]
    if {"dta", "xpt"} & set(formats):
        lines.append(f"  {NAMES_FILE}  the Stata and SAS names of every variable (shorter names rules)")
    lines += ["  README.txt    this file", "", "Datasets:"]
    for ds in datasets:
        count = f"{rows[ds.name]} rows, " if ds.name in rows else ""
        lines.append(f"  {ds.name}: {text_of(ds.label_en)} / {text_of(ds.label_zh)} - {count}{len(ds.columns)} "
                     "variables")
    lines += ["", "Formats:",
              "  .csv  UTF-8 with BOM (opens in Excel), comma-separated, first line = variable names;",
              "        dates YYYY-MM-DD, datetimes ISO 8601, booleans 1/0, empty = missing.",
              "        A text value starting with = + - @, a tab or a carriage return is written with a leading",
              "        apostrophe (') so a spreadsheet shows it as text and never runs it as a formula; remove",
              "        that one apostrophe to get the value as entered. Numbers are never changed.",
              "  .sav  SPSS, UTF-8; variable labels \"English / 中文\", value labels and measure levels set;",
              "        dates and datetimes are SPSS date variables, missing text is an empty string.",
              "  odm.xml  one ClinicalData per dataset; SubjectKey = participant_id, StudyEvent = visit,",
              "        ItemGroupRepeatKey = row number in the dataset's CSV."]
    if "dta" in formats:
        lines += ["  .dta  Stata 14+ (format 118, UTF-8); names cut to 31 characters where longer (see",
                  f"        {NAMES_FILE}); labels \"English / 中文\" cut to 80 characters; value labels on",
                  "        numeric codes only (Stata cannot label strings); dates %td, datetimes %tc."]
    if "xpt" in formats:
        lines += ["  .xpt  SAS transport version 5: member and variable names at most 8 characters (see",
                  f"        {NAMES_FILE}), English labels in ASCII up to 40 characters; character values",
                  "        ASCII only: other characters written as \\uXXXX escapes, values cut at 200 bytes;",
                  "        no value labels (use the codebook); dates DATE9., datetimes DATETIME20."]
        for name, (escaped, cut) in sorted(xpt_changes.items()):
            if escaped or cut:
                lines.append(f"        {name}.xpt: {escaped} values escaped, {cut} values cut at 200 bytes")
    if readme_extra:
        lines += ["", readme_extra.rstrip("\n")]
    return "\r\n".join(lines) + "\r\n"


def _names_csv(datasets: list[Dataset], members: dict[str, str]) -> str:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(["dataset", "variable", "stata_variable", "sas_member", "sas_variable"])
    for ds in datasets:
        stata, sas = stata_names(ds), xpt_names(ds)
        for col in ds.columns:
            writer.writerow([ds.name, col.name, stata[col.name], members[ds.name], sas[col.name]])
    return out.getvalue()


def _sha256(path: str) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def write_zip(datasets: Iterable[Dataset], path: str | os.PathLike, *, formats: Iterable[str] = DEFAULT_FORMATS,
              progress: Progress | None = None, readme_extra: str = "", study_oid: str = "STUDY",
              study_name: str = "") -> tuple[str, int]:
    """Write a ZIP (deflated) at `path` and return (SHA-256 hex of the finished file, its size in bytes).

    Contents, in this order: `<name>.<format>` per dataset for each of `formats` (csv, sav, dta, xpt),
    `codebook.csv`, `odm.xml`, the R loader, `variable_names.csv` when Stata or SAS files are in, `README.txt`
    (with `readme_extra` appended, e.g. the blinding statement). CSV, codebook and ODM are streamed into the
    archive; .sav, .dta and .xpt files go through a temporary file. `progress(done, total, entry_name)` is
    called after each file. The ZIP is built next to `path` and renamed into place only when complete, so a
    failed export (ValueError for bad data) leaves no partial file behind.
    """
    datasets = check_datasets(datasets)
    formats = tuple(formats)
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ValueError(f"unknown format(s) {', '.join(sorted(unknown))}; expected some of {', '.join(FORMATS)}")
    path = os.fspath(path)
    if not formats:
        raise ValueError("choose at least one format")
    total = len(datasets) * len(formats) + 4
    done = 0
    rows: dict[str, int] = {}
    xpt_changes: dict[str, tuple[int, int]] = {}
    members = member_names(datasets)
    created = datetime.now(UTC).replace(microsecond=0)

    def step(name: str) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total, name)

    folder, base = os.path.split(path)
    partial = os.path.join(folder, f".{base}.{secrets.token_hex(8)}.part")  # created with the usual umask
    odm = OdmWriter(datasets, study_oid=study_oid, study_name=study_name)
    frame_formats = [f for f in formats if f in FRAME_FORMATS]
    try:
        with zipfile.ZipFile(partial, "x", compression=zipfile.ZIP_DEFLATED,
                             compresslevel=DEFLATE_LEVEL) as archive, \
                tempfile.TemporaryDirectory(prefix="export-") as scratch:
            for ds in datasets:
                # One pass over the dataset's rows, each converted once (typed_rows), feeding the CSV entry, the
                # ODM clinical data and the frame the SPSS, Stata and SAS files are written from.
                frame = FrameBuilder(ds) if frame_formats else None
                clinical = odm.rows_of(ds)
                with ExitStack() as entry:
                    csv_rows = None
                    if "csv" in formats:
                        stream = entry.enter_context(archive.open(f"{ds.name}.csv", "w", force_zip64=True))
                        csv_rows = CsvRows(ds, entry.enter_context(text_stream(stream)))
                    count = 0
                    for count, values in typed_rows(ds):
                        if csv_rows is not None:
                            csv_rows.row(values)
                        if frame is not None:
                            frame.add(values)
                        if clinical is not None:
                            clinical.row(count, values)
                rows[ds.name] = count
                odm.closed(clinical)
                if "csv" in formats:
                    step(f"{ds.name}.csv")
                table = frame.frame() if frame is not None else None
                for fmt in frame_formats:
                    name = f"{ds.name}.{fmt}"
                    scratch_file = os.path.join(scratch, name)
                    if fmt == "sav":
                        write_sav(ds, scratch_file, frame=table)
                    elif fmt == "dta":
                        write_dta(ds, scratch_file, frame=table)
                    else:
                        _count, changed = write_xpt(ds, scratch_file, member=members[ds.name], frame=table)
                        xpt_changes[ds.name] = (changed.escaped, changed.truncated)
                    archive.write(scratch_file, name)
                    os.remove(scratch_file)
                    step(name)
                del table
            with archive.open("codebook.csv", "w") as entry:
                write_codebook(datasets, entry)
            step("codebook.csv")
            with archive.open("odm.xml", "w", force_zip64=True) as entry:
                odm.finish(entry)
            step("odm.xml")
            archive.writestr(R_SCRIPT_NAME, r_script(datasets).encode("utf-8"))
            if {"dta", "xpt"} & set(formats):
                archive.writestr(NAMES_FILE, _names_csv(datasets, members).encode("utf-8-sig"))
            step(R_SCRIPT_NAME)
            readme = _readme(datasets, formats, rows, study_oid, study_name, created, readme_extra, xpt_changes)
            archive.writestr("README.txt", readme.encode("utf-8-sig"))
            step("README.txt")
        os.replace(partial, path)
    except BaseException:
        odm.discard()
        if os.path.exists(partial):
            os.remove(partial)
        raise
    return _sha256(path)
