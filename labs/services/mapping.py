"""The mapping table from laboratory codes to the lab form (docs/LAB_IMPORT.md "Mapping"): LOINC
defaults and the LIS's usual local codes, created once and then owned by the data manager; every
later change carries a reason (edc.audit)."""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from edc.audit import save_changed, save_created
from labs.analytes import ANALYTES, default_codes
from labs.models import ColumnMapping, TestMapping
from labs.parsers.tabular import DEFAULT_HEADERS


def ensure_default_mappings() -> None:
    existing = set(TestMapping.objects.values_list("system", "code"))
    missing = [TestMapping(system=s, code=c, field=f) for s, c, f in default_codes() if (s, c) not in existing]
    if missing:
        bulk_create_with_history(missing, TestMapping, ignore_conflicts=True,
                                 default_change_reason="Default mapping (LOINC and usual LIS codes)")


def code_table() -> dict[tuple[str, str], str]:
    """(system, CODE) -> lab form field, active rows only (one query once the defaults exist)."""
    if not TestMapping.objects.exists():
        ensure_default_mappings()
    rows = TestMapping.objects.filter(active=True).values_list("system", "code", "field")
    return {(s, c.upper()): f for s, c, f in rows}


def save_mapping(*, user, system: str, code: str, field: str, active: bool = True, reason: str = "") -> TestMapping:
    code = (code or "").strip().upper()
    errors = {}
    if system not in ("loinc", "local"):
        errors["system"] = _("Choose LOINC or a local code.")
    if not code or len(code) > 40:
        errors["code"] = _("Give the code (at most 40 characters).")
    if field not in ANALYTES:
        errors["field"] = _("Choose a field of the lab form.")
    if errors:
        raise ValidationError(errors)
    row = TestMapping.objects.filter(system=system, code=code).first()
    with transaction.atomic():
        if row is None:
            return save_created(TestMapping(system=system, code=code, field=field, active=active), user, reason)
        row.field, row.active = field, active
        save_changed(row, user, reason)
        return row


def save_column_mapping(*, user, name: str, columns: dict, reason: str = "") -> ColumnMapping:
    unknown = sorted(set(columns) - set(DEFAULT_HEADERS))
    if unknown:
        raise ValidationError({"columns": _("Unknown columns: %(c)s.") % {"c": ", ".join(unknown)}})
    row = ColumnMapping.objects.filter(name=name).first()
    with transaction.atomic():
        if row is None:
            return save_created(ColumnMapping(name=name, columns=columns), user, reason)
        row.columns = columns
        save_changed(row, user, reason)
        return row
