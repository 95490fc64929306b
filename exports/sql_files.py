"""One dataset's files in the bundle, written by PostgreSQL from `Dataset.sql` (docs/EXPORTS.md "Speed"): the
CSV by COPY (exports.copy_csv), the ODM ClinicalData by COPY (exports.sql_odm), and the SPSS, Stata and SAS
files from the frame read by one COPY (exports.sql_frame). No row passes through Python one by one; the
Python path (exports.writers._dataset_files) writes the same bytes and stays for the datasets assembled in
Python.

The dataset's query runs once: its rows go into a temporary table in their order, and the three readers scan
that table. A temporary table lives in this session's local buffers, so a sequential scan of it is never
synchronised with another scan and returns the rows in the order they were written (PostgreSQL's heap scan
starts at the first block unless it is shared and large); tests/exports/test_sql_paths.py holds every file
to the Python path's bytes."""
import contextlib
import dataclasses
import os
import secrets

from django.db import connection, transaction

from exports.copy_csv import write_copy_csv
from exports.sql_frame import sql_frame
from exports.sql_odm import clinical_sql
from exports.sql_source import refs
from exports.writers_odm import events_state


@contextlib.contextmanager
def materialized(ds):
    """The dataset with its rows in a temporary table (dropped at the end): `sql` reads that table."""
    table = f"export_rows_{secrets.token_hex(6)}"
    sql, params = ds.sql()
    with transaction.atomic(), connection.cursor() as cursor:
        names = ", ".join(refs(len(ds.columns)))  # the query's own names may repeat (two tables' "code")
        cursor.execute(f"CREATE TEMPORARY TABLE {table} ON COMMIT DROP AS SELECT * FROM ({sql}) AS t({names})",
                       params)
        cursor.execute(f"ANALYZE {table}")
        try:
            yield dataclasses.replace(ds, sql=lambda: (f"SELECT * FROM {table}", []))
        finally:  # ON COMMIT DROP alone would keep it until an enclosing transaction ends
            cursor.execute(f"DROP TABLE IF EXISTS {table}")


def sql_dataset_files(ds, formats: tuple[str, ...], frame_formats: list[str], odm, scratch: str, index: int
                      ) -> tuple[dict, object]:
    """Write the CSV and the ODM fragment into `scratch`; return (what the bundle needs to know, the frame or
    None) — the caller writes the frame formats, as for the Python path."""
    events = odm.events()
    fragment = None
    count = None
    with materialized(ds) as rows:
        if any(col.name == odm.subject_column for col in ds.columns):
            fragment = os.path.join(scratch, f"{index:03d}.odm.xml")
            with open(fragment, "wb") as out:
                count = clinical_sql(rows, out, events, study_oid=odm.study_oid, subject_column=odm.subject_column,
                                     visit_column=odm.visit_column)
        if "csv" in formats:
            with open(os.path.join(scratch, f"{ds.name}.csv"), "wb") as out:
                count = write_copy_csv(rows, out)
        frame = sql_frame(rows) if frame_formats else None
    if count is None:
        count = len(frame) if frame is not None else 0
    return {"rows": count, "records": count if fragment else 0, "events": events_state(events),
            "fragment": fragment, "xpt": (0, 0)}, frame
