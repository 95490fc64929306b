"""Where each lab value came from (docs/LAB_IMPORT.md "Provenance"): one row per value held on a
lab panel, 'typed' or the laboratory-system batch, row or message and the file's SHA-256. Read in
chunks of panels with one provenance query per chunk (labs.selectors.lis_sourced_values)."""
from crf.models.labs import LabPanel
from exports.scope import in_scope
from exports.spec import Column, Dataset
from labs.analytes import ANALYTES
from labs.selectors import lis_sourced_values

CHUNK = 500


def lab_sources_dataset(sites: list[int] | None = None) -> Dataset:
    """`sites`: only those sites' participants (None: every site; exports.scope)."""
    cols = [Column("participant_id", "Participant ID", "受试者编号", "string"),
            Column("visit", "Visit", "访视", "string"),
            Column("field", "Lab form field", "实验室表字段", "string"),
            Column("source", "Source (typed or LIS)", "来源（手工录入或LIS）", "string"),
            Column("batch", "LIS import batch", "LIS导入批次", "integer"),
            Column("row_or_message", "Row or message in the batch", "批次中的行或消息", "string"),
            Column("sha256", "SHA-256 of the imported file", "导入文件SHA-256", "string")]

    def rows():
        qs = (in_scope(LabPanel.objects, sites).select_related("participant", "visit")
              .order_by("participant__participant_code", "visit__month"))
        chunk = []
        for panel in qs.iterator(chunk_size=CHUNK):
            chunk.append(panel)
            if len(chunk) == CHUNK:
                yield from _rows(chunk)
                chunk = []
        yield from _rows(chunk)

    return Dataset("lab_value_sources", "Lab value sources", "实验室数值来源", cols, rows,
                   key=("participant_id", "visit", "field"))


def _rows(panels):
    if not panels:
        return
    sources = lis_sourced_values(panels)
    for panel in panels:
        mine = sources.get(panel.pk, {})
        for name in ANALYTES:
            if getattr(panel, name) in (None, ""):
                continue
            row = mine.get(name)
            if row is None:
                yield (panel.participant.participant_code, panel.visit.code, name, "typed", None, "", "")
            else:
                where = f"{row.position} {row.message_id}".strip()
                yield (panel.participant.participant_code, panel.visit.code, name, "lis", row.batch_id, where,
                       row.batch.sha256)
