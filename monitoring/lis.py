"""The one question central monitoring asks of the laboratory import: which lab panels hold values
that came from the hospital laboratory system (LIS) rather than being typed?

Until the lab-import app exists this answers "none", so the SDV plan's setting "LIS-imported values
count as verified" changes nothing yet. To wire it, make `lis_sourced_panels()` return the LabPanel
rows whose UPCR and creatinine were accepted from an import batch (e.g.
`LabPanel.objects.filter(pk__in=<the lab app's selector of LIS-sourced panel ids>)`); everything else
(the SDV items, coverage, worklist and the indicators) reads it through here and nowhere else
(docs/CENTRAL_MONITORING.md "Laboratory values from the LIS").
"""
from django.db.models import QuerySet


def lis_sourced_panels() -> QuerySet | None:
    """LabPanel rows whose values came from the LIS, or None while no lab import exists."""
    return None


def lis_sql() -> tuple[str, tuple] | None:
    """The same, as SQL selecting the panels' ids (for the aggregate queries), or None."""
    panels = lis_sourced_panels()
    if panels is None:
        return None
    return panels.values("pk").query.sql_with_params()
