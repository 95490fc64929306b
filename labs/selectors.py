"""Reads the lab-import pages, the lab form and the exports share (docs/LAB_IMPORT.md "Provenance").

Source-data verification reads the rule "the value is still the one accepted from the laboratory
system" (docs/LAB_IMPORT.md "Provenance") in two forms, kept side by side here and held to the same
answers by tests/labs/test_lis_sourced.py:

- `lis_sourced_values(panels)`, per field in Python (the lab form, the exports);
- `lis_sourced_panels_sql()`, per panel in SQL (central monitoring's SDV plan, which counts in the
  database): the panels every analyte value of which is still as imported.

A value typed over an imported one is no longer LIS-sourced; nor is its panel."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from crf.models import Lock, Scope, Visit
from crf.models.labs import LabPanel
from labs.analytes import ANALYTES
from labs.models import ImportBatch, StagedResult, Status
from labs.services.matching import Lookup, carries_lab_form


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
    """{panel id: {field: the accepted StagedResult (with .batch)}} for values still as imported:
    the latest accepted row of (panel, field) whose value (and, where the form keeps the report's
    unit, unit; for a category, the choice) the form still holds. `panels` are LabPanel instances
    (their current values decide). One query. The same rule in SQL: `lis_sourced_panels_sql`."""
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


def is_held(panel: LabPanel, name: str) -> bool:
    """Whether the panel holds a value of the analyte `name` (the SQL form: `held_sql`)."""
    return getattr(panel, name) not in (None, "")


def lis_sourced_panel_ids(panels) -> set:
    """Ids of the panels that hold at least one analyte value and whose every analyte value is still
    as imported (`lis_sourced_values`). Python twin of `lis_sourced_panels_sql`, for tests and
    small sets; `panels` are LabPanel instances."""
    panels = list(panels)
    sourced = lis_sourced_values(panels)
    out = set()
    for panel in panels:
        held = {name for name in ANALYTES if is_held(panel, name)}
        if held and held == set(sourced.get(panel.pk, ())):
            out.add(panel.pk)
    return out


def latest_accepted_sql() -> str:
    """SQL of the latest accepted row per (panel, field) (DISTINCT ON, ordered as `lis_sourced_values`:
    accepted_at, then id), with the columns the rule compares; no parameters."""
    return (f"SELECT DISTINCT ON (panel_id, field) id, panel_id, field, value, value_unit, value_choice, batch_id,"
            f" position, message_id FROM {StagedResult._meta.db_table}"
            f" WHERE status = '{Status.ACCEPTED.value}' AND panel_id IS NOT NULL"
            f" ORDER BY panel_id, field, accepted_at DESC, id DESC")


def holds_sql(panel: str, staged: str) -> str:
    """SQL, true where the panel row `panel` (the LabPanel table's columns) still holds the value of the
    accepted row `staged` (`latest_accepted_sql`'s columns): the rule of `_holds`."""
    holds = []
    for name, analyte in ANALYTES.items():
        column = f"{panel}.{LabPanel._meta.get_field(name).column}"
        if analyte.category:
            holds.append(f"WHEN '{name}' THEN {column} <> '' AND {column} = {staged}.value_choice")
            continue
        unit = (f" AND {panel}.{LabPanel._meta.get_field(analyte.unit_field).column} = {staged}.value_unit"
                if analyte.unit_field else "")
        holds.append(f"WHEN '{name}' THEN {column} = {staged}.value{unit}")
    return f"CASE {staged}.field {' '.join(holds)} ELSE FALSE END"


def held_sql(panel: str, name: str) -> str:
    """SQL, true where the panel row `panel` holds a value of the analyte `name` (`is_held`)."""
    column = f"{panel}.{LabPanel._meta.get_field(name).column}"
    return f"({column} <> '')" if ANALYTES[name].category else f"({column} IS NOT NULL)"


def lis_sourced_panels_sql() -> str:
    """SQL selecting the ids of the LIS-sourced lab panels (the rule of `lis_sourced_values`, per
    panel as in `lis_sourced_panel_ids`), one row per panel, for `id IN (...)` or a join; no
    parameters. One pass over the accepted rows: the latest per (panel, field), joined to its panel,
    counted against the analyte values the panel holds."""
    held_count = " + ".join(f"{held_sql('p', name)}::int" for name in ANALYTES)
    return (f"SELECT p.id FROM {LabPanel._meta.db_table} p JOIN ({latest_accepted_sql()}) s ON s.panel_id = p.id"
            f" GROUP BY p.id HAVING count(*) FILTER (WHERE {holds_sql('p', 's')})"
            f" = {held_count} AND {held_count} > 0")


def provenance_text(row: StagedResult | None) -> str:
    """How exports and the form name a value's origin: 'typed' or 'LIS batch #n row r (message)'."""
    if row is None:
        return "typed"
    where = f" {row.message_id}" if row.message_id else ""
    return f"LIS batch #{row.batch_id} row {row.position}{where} sha256:{row.batch.sha256[:12]}"


# --- docs/LAB_IMPORT.md "Placing a result outside a visit window" ---------------------------------

def days_outside(visit: Visit, day: date) -> int:
    """Days `day` lies before the window opens (negative) or after it closes (positive); 0 inside."""
    if day < visit.window_start:
        return (day - visit.window_start).days
    return max((day - visit.window_end).days, 0)


@dataclass
class VisitChoice:
    visit: Visit
    days: int  # days_outside
    locked: bool
    nearest: bool = False

    @property
    def distance(self) -> str:
        n = abs(self.days)
        if self.days < 0:
            return ngettext("%(n)d day before the window opens", "%(n)d days before the window opens", n) % {"n": n}
        if self.days > 0:
            return ngettext("%(n)d day after the window closes", "%(n)d days after the window closes", n) % {"n": n}
        return _("inside the window")


@dataclass
class PlacementGroup:
    """A participant's results collected at one time outside every visit window, and the visits
    they may be placed at, the nearest proposed."""

    key: str
    collected_at: datetime
    day: date
    size: int = 0  # results of the batch in the group (beyond this page too)
    choices: list[VisitChoice] = field(default_factory=list)


def placement_groups(batch: ImportBatch, rows: list[StagedResult]) -> dict[tuple, PlacementGroup]:
    """{(participant id, collected at): group} for the rows outside a window among `rows` (one page:
    participants with their site). A fixed number of queries whatever the rows."""
    outside = [r for r in rows if r.status == Status.OUTSIDE_WINDOW and r.participant_id and r.collected_at]
    if not outside:
        return {}
    people = {r.participant_id for r in outside}
    look = Lookup.for_participants(people)
    database_locked = Lock.objects.filter(scope=Scope.DATABASE, unlocked_at__isnull=True).exists()
    sizes = {(pid, at): n for pid, at, n in StagedResult.objects.filter(
        batch=batch, status=Status.OUTSIDE_WINDOW, participant_id__in=people)
        .values_list("participant_id", "collected_at").annotate(n=Count("id")).values_list(
        "participant_id", "collected_at", "n")}
    groups: dict[tuple, PlacementGroup] = {}
    for r in outside:
        key = (r.participant_id, r.collected_at)
        if key in groups:
            continue
        day = timezone.localtime(r.collected_at, ZoneInfo(r.participant.site.timezone)).date()
        choices = [VisitChoice(v, days_outside(v, day), look.locked(v, database_locked))
                   for v in look.visits.get(r.participant_id, []) if carries_lab_form(v)]
        open_ = [c for c in choices if not c.locked]
        if open_:
            min(open_, key=lambda c: (abs(c.days), abs((c.visit.target_date - day).days))).nearest = True
        groups[key] = PlacementGroup(f"place-{r.pk}", r.collected_at, day, sizes.get(key, 0), choices)
    return groups
