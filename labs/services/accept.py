"""Accept staged results onto the lab form (docs/LAB_IMPORT.md "Review"). Every accepted value goes
through crf's one save path (crf.services.entry.save_crf): the form's derivations, hard and soft
checks, automatic queries for warnings, locks, signatures invalidated by a change, and history with
a reason that names the batch and its hash. One visit's results are saved together (one history
row per panel); a panel that fails keeps its rows staged, with the reason."""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from crf import registry
from crf.models import CrfStatus
from crf.models.labs import LabPanel
from crf.services.entry import save_crf
from edc.audit import REASON_MAX_LENGTH
from labs.analytes import ANALYTES
from labs.explain import Explanation, explain, stored, word
from labs.models import ACCEPTABLE, ImportBatch, StagedResult, Status
from labs.services.placement import placement_text

REQUIRED_FOR_NEW = ("upcr_value", "creatinine_value")


def _message(error: Exception) -> Explanation | str:
    """Why a panel was not accepted: this module's own reasons are Explanations (shown in the
    reader's language); a refusal of the lab form's save path (crf) comes as crf words it, in the
    language of the reviewer who accepted."""
    if isinstance(error, ValidationError):
        items = [m for ms in error.error_dict.values() for m in ms] if hasattr(error, "error_dict") \
            else error.error_list
        if len(items) == 1 and isinstance(items[0].message, Explanation) and not items[0].params:
            return items[0].message
        return "; ".join(str(m) for m in error.messages)[:300]
    return str(error)[:300]


def reason_for(batch: ImportBatch, rows: list[StagedResult], reason: str) -> str:
    """The reviewer's reason, any placement of a result outside a window (who, which visit, why),
    then the batch, its hash and the rows (docs/LAB_IMPORT.md "Review")."""
    where = ", ".join(sorted({f"{r.position}" + (f" {r.message_id}" if r.message_id else "") for r in rows}))
    placed = "; ".join(sorted({placement_text(r) for r in rows if r.placed_at}))
    text = reason.strip() + (f"; {placed}" if placed else "") + f" [{batch.label}; rows/messages {where}]"
    return text if len(text) <= REASON_MAX_LENGTH else text[:REASON_MAX_LENGTH - 1] + "…"


def accept(batch: ImportBatch, *, user, reason: str, row_ids=None, visit_id=None, all_ready: bool = False) -> dict:
    """Accept rows of `batch`: chosen rows, one visit's panel, or every ready row. Returns counts."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give a reason (it is recorded with every value).")})
    rows = StagedResult.objects.filter(batch=batch, status__in=ACCEPTABLE, visit__isnull=False)
    if row_ids is not None:
        rows = rows.filter(pk__in=row_ids)
    elif visit_id is not None:
        rows = rows.filter(visit_id=visit_id, status=Status.READY)
    elif all_ready:
        rows = rows.filter(status=Status.READY)
    else:
        raise ValueError("choose rows, a visit or all ready rows")
    groups = defaultdict(list)
    for row in rows.select_related("visit", "participant__site", "placed_by").order_by("position", "id"):
        groups[row.visit_id].append(row)
    accepted = failed = 0
    errors = []
    for group in groups.values():
        try:
            _accept_panel(batch, group, user=user, reason=reason)
            accepted += len(group)
        except (ValidationError, PermissionDenied) as e:
            failed += len(group)
            note = explain(gettext_noop("Not accepted: %(e)s"), e=_message(e))
            errors.append(f"{group[0].visit.code}: {note.translated()}")
            StagedResult.objects.filter(pk__in=[r.pk for r in group]).update(**stored(note))
    return {"accepted": accepted, "failed": failed, "errors": errors}


def _accept_panel(batch: ImportBatch, group: list[StagedResult], *, user, reason: str) -> None:
    fields = [r.field for r in group]
    if len(set(fields)) != len(fields):
        raise ValidationError(explain(gettext_noop(
            "two results for the same field of this visit were chosen: accept one of them")))
    visit = group[0].visit
    crf_type = registry.get("labs")
    with transaction.atomic():
        # the rows are claimed under a lock: a second reviewer accepting the same rows waits, then finds them accepted
        ids = list(StagedResult.objects.select_for_update().filter(
            pk__in=[r.pk for r in group], status__in=ACCEPTABLE).values_list("pk", flat=True))
        if len(ids) != len(group):
            raise ValidationError(explain(gettext_noop("these results were accepted or skipped meanwhile")))
        panel = LabPanel.objects.filter(visit=visit).first()
        creating = panel is None
        if creating:
            panel = LabPanel(participant=visit.participant, visit=visit, status=CrfStatus.IN_PROGRESS)
            zone = ZoneInfo(visit.participant.site.timezone)
            panel.sample_date = timezone.localtime(min(r.collected_at for r in group), zone).date()
            missing = [f for f in REQUIRED_FOR_NEW if f not in fields]
            if missing:
                raise ValidationError(explain(gettext_noop(
                    "a new lab panel needs the UPCR and the serum creatinine; this batch has no %(f)s for "
                    "this visit: enter the panel on the form first, then accept the other results"),
                    f=[word(LabPanel._meta.get_field(f).verbose_name) for f in missing]))
        for row in group:
            analyte = ANALYTES[row.field]
            if analyte.category:
                setattr(panel, row.field, row.value_choice)
            else:
                places = LabPanel._meta.get_field(row.field).decimal_places
                setattr(panel, row.field, row.value.quantize(Decimal(1).scaleb(-places)))
                if analyte.unit_field:
                    setattr(panel, analyte.unit_field, row.value_unit)
        save_crf(crf_type, panel, visit=visit, user=user, reason=reason_for(batch, group, reason), acknowledge=True)
        StagedResult.objects.filter(pk__in=ids).update(
            status=Status.ACCEPTED, panel_id=panel.pk, accepted_by=user, accepted_at=timezone.now(), **stored(""))


def skip(batch: ImportBatch, row_ids, *, user) -> int:
    return StagedResult.objects.filter(batch=batch, pk__in=row_ids).exclude(status=Status.ACCEPTED).update(
        status=Status.SKIPPED, **stored(explain(gettext_noop("skipped by %(u)s"), u=user.get_username())))
