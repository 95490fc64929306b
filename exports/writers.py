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
import ctypes
import ctypes.util
import gc
import hashlib
import io
import json
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
    typed_rows,
    write_codebook,
    write_csv,
)
from exports.writers_odm import OdmWriter, events_state, write_odm
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
try:  # glibc's malloc_trim (Linux); elsewhere freed memory is left to the allocator
    _LIBC = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    if not hasattr(_LIBC, "malloc_trim"):
        _LIBC = None
except OSError:
    _LIBC = None
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


def _dataset_files(ds: Dataset, formats: tuple[str, ...], member: str, odm: OdmWriter, scratch: str,
                   index: int) -> dict:
    """One pass over a dataset's rows, each converted once (typed_rows), writing its files into `scratch`: the
    CSV, the ODM clinical-data fragment, and the SPSS, Stata and SAS files from one neutral frame. Returns what
    the bundle needs to know (plain data: it may come from another process)."""
    frame_formats = [f for f in formats if f in FRAME_FORMATS]
    if ds.sql is not None:  # PostgreSQL writes it (Django-side: imported only for datasets that carry SQL)
        from exports.sql_files import sql_dataset_files

        result, table = sql_dataset_files(ds, formats, frame_formats, odm, scratch, index)
        return _frame_files(ds, frame_formats, table, member, scratch, result)
    frame = FrameBuilder(ds) if frame_formats else None
    events = odm.events()
    fragment = os.path.join(scratch, f"{index:03d}.odm.xml")
    with ExitStack() as files:
        clinical = odm.clinical(ds, files.enter_context(open(fragment, "w", encoding="utf-8", newline="")), events)
        csv_rows = None
        if "csv" in formats:
            stream = files.enter_context(open(os.path.join(scratch, f"{ds.name}.csv"), "w", encoding="utf-8",
                                              newline=""))
            csv_rows = CsvRows(ds, stream)
        count = 0
        for count, values in typed_rows(ds):
            if csv_rows is not None:
                csv_rows.row(values)
            if frame is not None:
                frame.add(values)
            if clinical is not None:
                clinical.row(count, values)
        records = clinical.close() if clinical is not None else 0
    result = {"rows": count, "records": records, "events": events_state(events),
              "fragment": fragment if clinical is not None else None, "xpt": (0, 0)}
    return _frame_files(ds, frame_formats, frame.frame() if frame is not None else None, member, scratch, result)


def _frame_files(ds: Dataset, frame_formats: list[str], table, member: str, scratch: str, result: dict) -> dict:
    """The SPSS, Stata and SAS files of the dataset, from its one neutral frame."""
    for fmt in frame_formats:
        target = os.path.join(scratch, f"{ds.name}.{fmt}")
        if fmt == "sav":
            write_sav(ds, target, frame=table)
        elif fmt == "dta":
            write_dta(ds, target, frame=table)
        else:
            _count, changed = write_xpt(ds, target, member=member, frame=table)
            result["xpt"] = (changed.escaped, changed.truncated)
    del table
    _give_back_memory()
    return result


def _give_back_memory() -> None:
    """Return freed memory to the system after each dataset. glibc keeps what a large frame freed in its arenas,
    and the next dataset's arrays land beside it rather than in it, so without this the export's peak grows with
    every dataset instead of being the largest one's (`make bench`, 10,000 participants: 303 -> 293 MB)."""
    gc.collect()
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def _in_child(datasets: list[Dataset], indexes: list[int], work) -> tuple[int, str]:
    """Fork a process that runs `work(index)` for each of `indexes` and writes the results as JSON; returns (pid,
    path of that JSON). os.fork, not multiprocessing: a Celery prefork worker's processes are daemonic and
    multiprocessing refuses to start children from them. The child opens its own database connection (the
    caller closed its own before forking) and leaves with os._exit, running none of the parent's clean-up."""
    result_path = os.path.join(tempfile.gettempdir(), f"export-part-{secrets.token_hex(8)}.json")
    pid = os.fork()
    if pid:
        return pid, result_path
    status = 1
    try:
        out = {str(i): work(i) for i in indexes}
        with open(result_path, "w", encoding="utf-8") as handle:
            json.dump({"ok": out}, handle)
        status = 0
    except BaseException as error:  # reported to the parent, which raises it
        with open(result_path, "w", encoding="utf-8") as handle:
            json.dump({"error": f"{type(error).__name__}: {error}"}, handle)
    finally:
        os._exit(status)


def _collect(pid: int, result_path: str) -> dict[int, dict]:
    os.waitpid(pid, 0)
    try:
        with open(result_path, encoding="utf-8") as handle:
            outcome = json.load(handle)
    except OSError as error:
        raise ValueError(f"an export process ended without a result ({error})") from error
    finally:
        if os.path.exists(result_path):
            os.remove(result_path)
    if "error" in outcome:
        raise ValueError(outcome["error"])
    return {int(k): v for k, v in outcome["ok"].items()}


def write_zip(datasets: Iterable[Dataset], path: str | os.PathLike, *, formats: Iterable[str] = DEFAULT_FORMATS,
              progress: Progress | None = None, readme_extra: str = "", study_oid: str = "STUDY",
              study_name: str = "", processes: int = 1, before_fork: Callable[[], object] | None = None,
              ) -> tuple[str, int]:
    """Write a ZIP (deflated) at `path` and return (SHA-256 hex of the finished file, its size in bytes).

    Contents, in this order: `<name>.<format>` per dataset for each of `formats` (csv, sav, dta, xpt),
    `codebook.csv`, `odm.xml`, the R loader, `variable_names.csv` when Stata or SAS files are in, `README.txt`
    (with `readme_extra` appended, e.g. the blinding statement). Each dataset is read once into scratch files
    (`_dataset_files`); with `processes=2` every other dataset is written by a forked process at the same time
    (`before_fork()` runs first: close database connections there). The files are then deflated into the zip in
    dataset order, so the bundle does not depend on who wrote what. `progress(done, total, entry_name)` is
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
    formats = tuple(f for f in FORMATS if f in formats)
    total = len(datasets) * len(formats) + 4
    done = 0
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
    try:
        with tempfile.TemporaryDirectory(prefix="export-") as scratch:
            def work(i: int) -> dict:
                return _dataset_files(datasets[i], formats, members[datasets[i].name], odm, scratch, i)

            results: dict[int, dict] = {}
            child = None
            mine = list(range(len(datasets)))
            if processes > 1 and len(datasets) > 1:
                theirs, mine = mine[1::2], mine[0::2]
                if before_fork is not None:
                    before_fork()
                child = _in_child(datasets, theirs, work)
            try:
                for i in mine:
                    results[i] = work(i)
                    for fmt in formats:
                        step(f"{datasets[i].name}.{fmt}")
            finally:
                if child is not None:
                    results.update(_collect(*child))
                    for i in theirs:
                        for fmt in formats:
                            step(f"{datasets[i].name}.{fmt}")
            with zipfile.ZipFile(partial, "x", compression=zipfile.ZIP_DEFLATED,
                                 compresslevel=DEFLATE_LEVEL) as archive:
                for i, ds in enumerate(datasets):
                    odm.merge(ds, results[i]["events"], results[i]["records"])
                    for fmt in formats:
                        archive.write(os.path.join(scratch, f"{ds.name}.{fmt}"), f"{ds.name}.{fmt}")
                with archive.open("codebook.csv", "w") as entry:
                    write_codebook(datasets, entry)
                step("codebook.csv")
                with archive.open("odm.xml", "w", force_zip64=True) as entry:
                    odm.finish(entry, [r["fragment"] for _, r in sorted(results.items()) if r["fragment"]])
                step("odm.xml")
                archive.writestr(R_SCRIPT_NAME, r_script(datasets).encode("utf-8"))
                if {"dta", "xpt"} & set(formats):
                    archive.writestr(NAMES_FILE, _names_csv(datasets, members).encode("utf-8-sig"))
                step(R_SCRIPT_NAME)
                rows = {ds.name: results[i]["rows"] for i, ds in enumerate(datasets)}
                xpt_changes = {ds.name: tuple(results[i]["xpt"]) for i, ds in enumerate(datasets)}
                readme = _readme(datasets, formats, rows, study_oid, study_name, created, readme_extra,
                                 xpt_changes if "xpt" in formats else {})
                archive.writestr("README.txt", readme.encode("utf-8-sig"))
                step("README.txt")
        os.replace(partial, path)
    except BaseException:
        if os.path.exists(partial):
            os.remove(partial)
        raise
    return _sha256(path)
