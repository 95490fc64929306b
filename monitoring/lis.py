"""The one question central monitoring asks of the laboratory import: which lab panels hold values
that came from the hospital laboratory system (LIS) rather than being typed?

A panel counts when every analyte value it holds is still the one accepted from an import batch;
one value typed over an imported one (or typed where nothing was imported) makes it typed again.
The rule has one home, the lab-import app: `labs.selectors.lis_sourced_panels_sql` (its Python
twin, per field, is `lis_sourced_values`). The SDV items, coverage, worklist and the indicators read
it through here and nowhere else, and only when the plan says LIS values count as verified
(docs/CENTRAL_MONITORING.md "Laboratory values from the LIS").
"""
from labs.selectors import lis_sourced_panels_sql


def lis_sql() -> str:
    """SQL selecting the ids of the LIS-sourced LabPanel rows, for `f.id IN (...)` (no parameters)."""
    return lis_sourced_panels_sql()
