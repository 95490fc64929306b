"""Dataset file writers (no Django): CSV, codebook, SPSS .sav, CDISC ODM XML, and the ZIP bundling them.

    write_csv(dataset, stream) -> rows                    exports/writers_csv.py
    write_codebook(datasets, stream) -> variables         exports/writers_csv.py
    write_sav(dataset, path) -> rows                      exports/writers_spss.py
    write_odm(datasets, stream, *, study_oid, study_name) exports/writers_odm.py
    write_zip(datasets, path, ...) -> (sha256 hex, bytes) here

Every writer checks the datasets first (SPSS-safe column names, known types, value labels) and raises ValueError
naming the dataset, row number and column for a row of the wrong length or a value of the wrong type.
"""
import dataclasses
import hashlib
import os
import pickle
import secrets
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from exports.spec import Dataset
from exports.writers_csv import check_dataset, check_datasets, text_of, write_codebook, write_csv
from exports.writers_odm import write_odm
from exports.writers_spss import write_sav

__all__ = ["check_dataset", "check_datasets", "write_codebook", "write_csv", "write_odm", "write_sav", "write_zip"]

FORMATS = ("csv", "sav")
Progress = Callable[[int, int, str], object]


def _readme(datasets: list[Dataset], formats: tuple[str, ...], rows: dict[str, int], study_oid: str,
            study_name: str, created: datetime, readme_extra: str) -> str:
    lines = [f"Data export: {study_name or study_oid} ({study_oid})",
             f"Created: {created.isoformat()} (UTC)", "", "Files:"]
    for ds in datasets:
        for fmt in formats:
            lines.append(f"  {ds.name}.{fmt}")
    lines += ["  codebook.csv  every variable: label (English, Chinese), type, unit, allowed values",
              "  odm.xml       all datasets as CDISC ODM 1.3 (metadata and clinical data)",
              "  README.txt    this file", "", "Datasets:"]
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
    if readme_extra:
        lines += ["", readme_extra.rstrip("\n")]
    return "\r\n".join(lines) + "\r\n"


class _Spool:
    """A dataset's rows read once from their source and replayed from a scratch file for the next formats.

    Each format (CSV, .sav, ODM) reads every row; without this each would query the database again, and
    reading through the ORM costs more than writing (make bench: 13 s of rows at 10,000 participants against
    2.8 s for PostgreSQL's COPY). Rows go to the file in pickled chunks while the first writer consumes them,
    so memory stays flat; the file is ours, in the export's private scratch folder, removed with it. A first
    pass that stops early (bad data) leaves no replay: the next pass reads the source again."""

    CHUNK = 2000

    def __init__(self, source: Callable[[], Iterable[tuple]], folder: str, name: str):
        self.source, self.folder, self.name = source, folder, name
        self.path: str | None = None

    def __call__(self) -> Iterable[tuple]:
        return self._record() if self.path is None else self._replay(self.path)

    def _record(self):
        path = os.path.join(self.folder, f"{self.name}.{secrets.token_hex(4)}.rows")
        with open(path, "wb") as handle:
            chunk: list[tuple] = []
            for row in self.source():
                chunk.append(row)
                yield row
                if len(chunk) == self.CHUNK:
                    pickle.dump(chunk, handle, protocol=pickle.HIGHEST_PROTOCOL)
                    chunk = []
            if chunk:
                pickle.dump(chunk, handle, protocol=pickle.HIGHEST_PROTOCOL)
        self.path = path

    @staticmethod
    def _replay(path: str):
        with open(path, "rb") as handle:
            while True:
                try:
                    chunk = pickle.load(handle)
                except EOFError:
                    return
                yield from chunk


def _sha256(path: str) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def write_zip(datasets: Iterable[Dataset], path: str | os.PathLike, *, formats: Iterable[str] = FORMATS,
              progress: Progress | None = None, readme_extra: str = "", study_oid: str = "STUDY",
              study_name: str = "") -> tuple[str, int]:
    """Write a ZIP (deflated) at `path` and return (SHA-256 hex of the finished file, its size in bytes).

    Contents, in this order: `<name>.csv` and/or `<name>.sav` per dataset (as `formats` asks), `codebook.csv`,
    `odm.xml`, `README.txt` (with `readme_extra` appended, e.g. the blinding statement). CSV, codebook and ODM are
    streamed into the archive; each .sav goes through a temporary file. `progress(done, total, entry_name)` is
    called after each file. The ZIP is built next to `path` and renamed into place only when complete, so a
    failed export (ValueError for bad data) leaves no partial file behind.
    """
    datasets = check_datasets(datasets)
    formats = tuple(formats)
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ValueError(f"unknown format(s) {', '.join(sorted(unknown))}; expected some of {', '.join(FORMATS)}")
    path = os.fspath(path)
    total = len(datasets) * len(formats) + 3
    done = 0
    rows: dict[str, int] = {}
    created = datetime.now(UTC).replace(microsecond=0)

    def step(name: str) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total, name)

    folder, base = os.path.split(path)
    partial = os.path.join(folder, f".{base}.{secrets.token_hex(8)}.part")  # created with the usual umask
    try:
        with zipfile.ZipFile(partial, "x", compression=zipfile.ZIP_DEFLATED) as archive, \
                tempfile.TemporaryDirectory(prefix="export-") as scratch:
            datasets = [dataclasses.replace(ds, rows=_Spool(ds.rows, scratch, ds.name)) for ds in datasets]
            for ds in datasets:
                for fmt in formats:
                    name = f"{ds.name}.{fmt}"
                    if fmt == "csv":
                        with archive.open(name, "w", force_zip64=True) as entry:
                            rows[ds.name] = write_csv(ds, entry)
                    else:
                        sav = os.path.join(scratch, name)
                        rows[ds.name] = write_sav(ds, sav)
                        archive.write(sav, name)
                        os.remove(sav)
                    step(name)
            with archive.open("codebook.csv", "w") as entry:
                write_codebook(datasets, entry)
            step("codebook.csv")
            with archive.open("odm.xml", "w", force_zip64=True) as entry:
                write_odm(datasets, entry, study_oid=study_oid, study_name=study_name)
            step("odm.xml")
            readme = _readme(datasets, formats, rows, study_oid, study_name, created, readme_extra)
            archive.writestr("README.txt", readme.encode("utf-8-sig"))
            step("README.txt")
        os.replace(partial, path)
    except BaseException:
        if os.path.exists(partial):
            os.remove(partial)
        raise
    return _sha256(path)
