"""Reads the lab-import pages, the lab form and the exports share (docs/LAB_IMPORT.md "Provenance").

`lis_sourced_values(panel_ids)` is the selector for source-data verification: for each lab panel,
the fields whose current value is the one accepted from the laboratory system (batch and row),
so an SDV plan may treat them as verified against source. A value typed over an imported one is
no longer LIS-sourced."""
from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal

from django.db.models import Count, Q

from crf.models.labs import LabPanel
from labs.analytes import ANALYTES
from labs.models import ImportBatch, StagedResult, Status


def batches_for(user):
    """Batches staged by the user or against one of the user's sites, newest first."""
    site_ids = list(user.sites.values_list("pk", flat=True))
    return ImportBatch.objects.filter(Q(sites__in=site_ids) | Q(created_by=user)).distinct().order_by("-created_at")


def status_counts(batch: ImportBatch) -> dict[str, int]:
    return dict(Counter(dict(batch.results.values_list("status").annotate(n=Count("id")).values_list("status", "n"))))


def _holds(panel: LabPanel, row: StagedResult) -> bool:
    analyte = ANALYTES.get(row.field)
    current = getattr(panel, row.field, None)
    if analyte is None or current in (None, ""):
        return False
    if analyte.category:
        return current == row.value_choice
    if analyte.unit_field and getattr(panel, analyte.unit_field) != row.value_unit:
        return False
    return Decimal(current) == row.value


def lis_sourced_values(panels) -> dict:
    """{panel id: {field: the accepted StagedResult (with .batch)}} for values still as imported.
    `panels` are LabPanel instances (their current values decide). One query."""
    panels = {p.pk: p for p in panels}
    out: dict = defaultdict(dict)
    rows = (StagedResult.objects.filter(panel_id__in=panels, status=Status.ACCEPTED)
            .select_related("batch").order_by("accepted_at", "id"))
    latest = {}
    for row in rows:
        latest[(row.panel_id, row.field)] = row
    for (panel_id, name), row in latest.items():
        if _holds(panels[panel_id], row):
            out[panel_id][name] = row
    return dict(out)


def provenance_text(row: StagedResult | None) -> str:
    """How exports and the form name a value's origin: 'typed' or 'LIS batch #n row r (message)'."""
    if row is None:
        return "typed"
    where = f" {row.message_id}" if row.message_id else ""
    return f"LIS batch #{row.batch_id} row {row.position}{where} sha256:{row.batch.sha256[:12]}"
