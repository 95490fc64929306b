"""Default laboratory reference ranges, created once and then owned by the data manager (admin).

The defaults are the central laboratory's adult ranges (docs/DECISIONS.md, "Laboratory reference
ranges"); the data manager edits them in the admin when the laboratory changes its method.
Idempotent: rows that exist are never touched, so an edited range survives every later call."""
from decimal import Decimal

from simple_history.utils import bulk_create_with_history

from crf.models.reference import Analyte, ReferenceRange

DEFAULT_RANGES: dict[str, tuple[Decimal | None, Decimal | None, str]] = {
    Analyte.ALBUMIN: (Decimal(35), Decimal(50), "g/L"),
    Analyte.C3: (Decimal("0.9"), Decimal("1.8"), "g/L"),
    Analyte.C4: (Decimal("0.1"), Decimal("0.4"), "g/L"),
    Analyte.ANTI_DSDNA: (None, Decimal(100), "IU/mL"),
    Analyte.HAEMOGLOBIN: (Decimal(115), Decimal(150), "g/L"),
    Analyte.WBC: (Decimal("3.5"), Decimal("9.5"), "×10⁹/L"),
    Analyte.PLATELETS: (Decimal(125), Decimal(350), "×10⁹/L"),
    Analyte.ALT: (Decimal(7), Decimal(40), "U/L"),
    Analyte.AST: (Decimal(13), Decimal(35), "U/L"),
}


def ensure_reference_ranges() -> None:
    """Create the default range of every analyte that has none yet (one query when all exist)."""
    existing = set(ReferenceRange.objects.values_list("analyte", flat=True))
    missing = [ReferenceRange(analyte=a, lower=low, upper=high, unit=unit)
               for a, (low, high, unit) in DEFAULT_RANGES.items() if a not in existing]
    if missing:
        bulk_create_with_history(missing, ReferenceRange, ignore_conflicts=True,
                                 default_change_reason="Default reference range")


def reference_ranges() -> dict[str, ReferenceRange]:
    """The current range of every analyte, keyed by analyte code (one query). An analyte with no row
    yet gets its default, unsaved: a read never writes (a refused form must change nothing); the rows
    are created by a migration and by ensure_reference_ranges()."""
    ranges = {r.analyte: r for r in ReferenceRange.objects.all()}
    for analyte, (low, high, unit) in DEFAULT_RANGES.items():
        ranges.setdefault(analyte, ReferenceRange(analyte=analyte, lower=low, upper=high, unit=unit))
    return ranges
