"""Stage a file or message as an import batch (docs/LAB_IMPORT.md "Batches"): size and encoding
checked, every record decided (labs.services.matching) and bulk-inserted as a staged result.
Nothing reaches a form here. A file already staged (same SHA-256) changes nothing. A dry run does
the same work in a transaction that is rolled back, and returns the same summary."""
from __future__ import annotations

import hashlib
import io
from collections import Counter
from collections.abc import Iterable, Iterator
from itertools import islice

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from crf.models import Lock, Scope
from labs.explain import explain, keep
from labs.models import ColumnMapping, ImportBatch
from labs.parsers import fhir, hl7v2, tabular
from labs.parsers.records import LabRecord, SourceRefused
from labs.services.mapping import code_table
from labs.services.matching import CHUNK, Context, Lookup, Row, copy_rows, decide

FORMATS = ("csv", "xlsx", "hl7", "fhir")


class _Rollback(Exception):
    pass


def detect_format(filename: str, data: bytes) -> str:
    name = filename.lower()
    head = data[:8].lstrip(b"\xef\xbb\xbf\x0b \r\n\t")
    if head.startswith(b"PK\x03\x04") or name.endswith(".xlsx"):
        return "xlsx"
    if head.startswith(b"MSH") or name.endswith((".hl7", ".txt")):
        return "hl7"
    if head.startswith((b"{", b"[")) or name.endswith(".json"):
        return "fhir"
    return "csv"


def _records(fmt: str, data: bytes, mapping: dict | None, batch_info: dict) -> Iterator[LabRecord]:
    if fmt == "csv":
        encoding, rows = tabular.read_csv(data, mapping)
        batch_info["encoding"] = encoding
        return rows
    if fmt == "xlsx":
        return tabular.read_xlsx(io.BytesIO(data), mapping)
    if fmt == "fhir":
        return fhir.read_fhir(data)
    try:
        text = data.decode("utf-8-sig")
        batch_info["encoding"] = "utf-8"
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
            batch_info["encoding"] = "gb18030"
        except UnicodeDecodeError:
            raise SourceRefused(explain(gettext_noop("The HL7 file is neither UTF-8 nor GB18030/GBK."))) from None
    return _hl7_records(text, batch_info)


def _hl7_records(text: str, batch_info: dict) -> Iterator[LabRecord]:
    batch_info["messages"] = []
    found = False
    for message in hl7v2.read_hl7(text):
        found = True
        batch_info["messages"].append(message)
        if message.error:
            yield LabRecord(position=message.number, message_id=message.control_id, error=message.error)
        yield from message.records
    if not found:
        raise SourceRefused(explain(gettext_noop("No HL7 message in the file.")))


def _chunks(items: Iterable, size: int):
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def _summary(batch: ImportBatch, *, repeated: bool = False, dry_run: bool = False) -> dict:
    return {"batch": batch.pk, "source": batch.source, "file": batch.filename, "sha256": batch.sha256,
            "status": batch.status, "error": batch.error, "encoding": batch.encoding, "counts": batch.counts,
            "repeat_of_earlier_import": repeated, "dry_run": dry_run}


def stage_bytes(data: bytes, *, filename: str, user, sites, fmt: str = "auto", source: str = "",
                mapping_name: str = "", dry_run: bool = False, info: dict | None = None) -> dict:
    """Stage `data` for the participants of `sites`; returns the JSON summary."""
    info = {} if info is None else info
    sha = hashlib.sha256(data).hexdigest()
    fmt = detect_format(filename, data) if fmt in ("", "auto") else fmt
    batch = ImportBatch(source=source or fmt, filename=filename[:200], sha256=sha, size=len(data),
                        mapping_name=mapping_name, created_by=user, status=ImportBatch.Status.STAGED)
    earlier = ImportBatch.objects.filter(sha256=sha, status=ImportBatch.Status.STAGED).first()
    if earlier is not None:
        return _summary(earlier, repeated=True, dry_run=dry_run)
    limit = settings.LAB_IMPORT_MAX_BYTES
    try:
        if fmt not in FORMATS:
            raise SourceRefused(explain(gettext_noop("Unknown format %(format)s; use csv, xlsx, hl7 or fhir."),
                                        format=repr(fmt)))
        if len(data) > limit:
            raise SourceRefused(explain(gettext_noop(
                "The file is %(size)s MB; the limit is %(limit)s MB. Export a shorter period (e.g. one month) per "
                "file."), size=f"{len(data) / 1048576:.1f}", limit=f"{limit / 1048576:.0f}"))
        mapping = None
        if mapping_name:
            row = ColumnMapping.objects.filter(name=mapping_name).first()
            if row is None:
                raise SourceRefused(explain(gettext_noop("No saved column mapping named %(name)s."),
                                            name=repr(mapping_name)))
            mapping = row.columns
        records = _records(fmt, data, mapping, info)
        first = list(islice(records, CHUNK))  # reading starts here: header and encoding problems surface now
    except SourceRefused as refused:
        batch.status = ImportBatch.Status.REFUSED
        keep(batch, refused.explanation, prefix="error", limit=None)
        batch.error = refused.explanation  # English, and the JSON summary's "error"; the view shows it translated
        batch.encoding = info.get("encoding", "")
        if not dry_run:
            batch.save()
            batch.sites.set(sites)
        return _summary(batch, dry_run=dry_run)
    batch.encoding = info.get("encoding", "")
    try:
        with transaction.atomic():
            batch.save()
            batch.sites.set(sites)
            counts = _stage(batch, first, records, {s.pk for s in sites})
            batch.counts = counts
            batch.save(update_fields=["counts"])
            summary = _summary(batch, dry_run=dry_run)
            if dry_run:
                raise _Rollback
    except _Rollback:
        summary["batch"] = None
    return summary


def _stage(batch: ImportBatch, first: list, rest: Iterator, site_ids: set) -> dict:
    ctx = Context(site_ids=site_ids, codes=code_table(), now=timezone.now(),
                  database_locked=Lock.objects.filter(scope=Scope.DATABASE, unlocked_at__isnull=True).exists())
    counts: Counter = Counter()

    def all_chunks():
        if first:
            yield first
        yield from _chunks(rest, CHUNK)

    for chunk in all_chunks():
        look = Lookup(chunk, ctx)
        rows = []
        for record in chunk:
            row = Row(batch_id=batch.pk, position=record.position, message_id=record.message_id[:120],
                      result_key=record.result_key, test_code=(record.codes[0][1] if record.codes else "")[:60],
                      test_name=record.test_name[:120], reported_value=record.value_text[:60],
                      reported_unit=record.unit[:30], reference_range=record.reference_range[:60],
                      abnormal_flag=record.abnormal_flag[:20], result_status=record.result_status,
                      collected_at=_aware(record.collected_at))
            decide(record, row, look, ctx)
            counts[row.status] += 1
            rows.append(row)
        copy_rows(rows)
    counts["total"] = sum(counts.values())
    return dict(counts)


def _aware(when):
    """Until the participant is known, a time without offset is read in the trial's zone."""
    if when is not None and when.tzinfo is None:
        return when.replace(tzinfo=timezone.get_default_timezone())
    return when


def message_outcome(info: dict, batch_id: int | None) -> list[tuple]:
    """(message, ACK code, text) per HL7 message staged from `info` (the MLLP listener)."""
    out = []
    for message in info.get("messages", []):
        if message.error:
            out.append((message, "AR", message.error))
        else:
            out.append((message, "AA", f"staged in batch #{batch_id}"))
    return out

