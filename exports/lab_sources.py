"""Where each lab value came from (docs/LAB_IMPORT.md "Provenance"): one row per value held on a
lab panel, 'typed' or the laboratory-system batch, row or message and the file's SHA-256.

It is the longest dataset by far (one row per analyte value: about 1.7 million at 10,000
participants), so its rows are one SQL query (`Dataset.sql`) that PostgreSQL writes for the CSV,
the frame and the ODM: the panels in scope, each crossed with the analytes it holds, joined to the
latest accepted laboratory-system row that the panel still holds (the rule of labs.selectors, in
its SQL form). The Python rows (the reference the tests compare with) apply the Python form of the
same rule (labs.selectors.lis_sourced_values), a chunk of panels at a time."""
from crf.models.labs import LabPanel
from exports.scope import in_scope
from exports.spec import Column, Dataset
from exports.sql_source import query_sql
from labs.analytes import ANALYTES
from labs.models import ImportBatch
from labs.selectors import held_sql, holds_sql, is_held, latest_accepted_sql, lis_sourced_values

CHUNK = 500
ORDER = ("participant__participant_code", "visit__month", "id")


def _where(position, message_id: str) -> str:
    """The row (file) or message (HL7, FHIR) in the batch, and the message's id where there is one."""
    return f"{position} {message_id}" if message_id else str(position)


def lab_sources_dataset(sites: list[int] | None = None) -> Dataset:
    """`sites`: only those sites' participants (None: every site; exports.scope)."""
    cols = [Column("participant_id", "Participant ID", "受试者编号", "string"),
            Column("visit", "Visit", "访视", "string"),
            Column("field", "Lab form field", "实验室表字段", "string"),
            Column("source", "Source (typed or LIS)", "来源（手工录入或LIS）", "string"),
            Column("batch", "LIS import batch", "LIS导入批次", "integer"),
            Column("row_or_message", "Row or message in the batch", "批次中的行或消息", "string"),
            Column("sha256", "SHA-256 of the imported file", "导入文件SHA-256", "string")]

    def panels():
        return in_scope(LabPanel.objects, sites).order_by(*ORDER)

    def rows():
        qs = panels().select_related("participant", "visit")
        chunk = []
        for panel in qs.iterator(chunk_size=CHUNK):
            chunk.append(panel)
            if len(chunk) == CHUNK:
                yield from _rows(chunk)
                chunk = []
        yield from _rows(chunk)

    return Dataset("lab_value_sources", "Lab value sources", "实验室数值来源", cols, rows,
                   key=("participant_id", "visit", "field"), sql=lambda: _sql(panels()))


def _sql(panels) -> tuple[str, list]:
    inner, params = query_sql(panels.values("id", "participant__participant_code", "visit__code", "visit__month",
                                            *[LabPanel._meta.get_field(n).attname for n in _columns()]))
    names = ["id", "code", "visit", "month", *_columns()]
    analytes = ", ".join(f"({n}, '{name}', {held_sql('p', name)})" for n, name in enumerate(ANALYTES))
    sql = (f"SELECT p.code, p.visit, a.name, CASE WHEN s.id IS NULL THEN 'typed' ELSE 'lis' END, s.batch_id,"
           f" s.position::text || CASE WHEN s.message_id <> '' THEN ' ' || s.message_id ELSE '' END, b.sha256"
           f" FROM ({inner}) AS p({', '.join(names)})"
           f" CROSS JOIN LATERAL (VALUES {analytes}) AS a(n, name, held)"
           f" LEFT JOIN ({latest_accepted_sql()}) s ON s.panel_id = p.id AND s.field = a.name AND {holds_sql('p', 's')}"
           f" LEFT JOIN {ImportBatch._meta.db_table} b ON b.id = s.batch_id"
           f" WHERE a.held ORDER BY p.code, p.month, p.id, a.n")
    return sql, params


def _columns() -> list[str]:
    """The panel columns the rule reads: every analyte's and the units the form keeps."""
    out = []
    for name, analyte in ANALYTES.items():
        out += [name, analyte.unit_field] if analyte.unit_field else [name]
    return [LabPanel._meta.get_field(n).column for n in out]


def _rows(panels):
    if not panels:
        return
    sources = lis_sourced_values(panels)
    for panel in panels:
        mine = sources.get(panel.pk, {})
        for name in ANALYTES:
            if not is_held(panel, name):
                continue
            row = mine.get(name)
            if row is None:
                yield (panel.participant.participant_code, panel.visit.code, name, "typed", None, "", "")
            else:
                yield (panel.participant.participant_code, panel.visit.code, name, "lis", row.batch_id,
                       _where(row.position, row.message_id), row.batch.sha256)
