"""Place a result collected outside every visit window at a visit the reviewer chooses
(docs/LAB_IMPORT.md "Placing a result outside a visit window"). A result belongs to the scheduled
visit whose window holds its collection day; the others are staged for the reviewer to place or
skip. A placed result is decided again against the chosen visit's lab form by staging's own rules
(labs.services.matching.classify_at_visit: locked, duplicate, conflict, correction, ready) and is
then accepted like any other. Who placed it, when, where and why stay on the row and go into the
reason for change when it is accepted (labs.services.accept.reason_for)."""
from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crf.models import Visit
from edc import roles
from edc.access import has_any_role
from labs.models import ImportBatch, StagedResult, Status
from labs.services.matching import Lookup, batch_context, carries_lab_form, classify_at_visit

REASON_MAX = StagedResult._meta.get_field("placed_reason").max_length


def _visit(participant_id, visit_id) -> Visit | None:
    try:
        pk = uuid.UUID(str(visit_id))
    except ValueError:
        return None
    return Visit.objects.filter(pk=pk, participant_id=participant_id).first()


def place(batch: ImportBatch, *, user, row_id, visit_id, reason: str, whole_panel: bool = False) -> list:
    """Place row `row_id` of `batch` (with `whole_panel`: every result of the batch outside a window
    for the same participant and collection time) at visit `visit_id`. Returns the rows as decided.
    Refused, changing nothing: a user who may not accept, a row of another batch or another site
    (PermissionDenied: the page answers 404), a row not outside every window, a visit that is not
    this participant's or carries no lab form, a locked lab form, an empty reason."""
    if not has_any_role(user, {roles.DATA_MANAGER}):  # the same permission as accepting
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for placing the result at this visit.")})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": _("Keep the reason under %(n)d characters.") % {"n": REASON_MAX}})
    row = StagedResult.objects.filter(pk=row_id, batch=batch).select_related("participant").first() \
        if str(row_id).isdigit() else None
    if row is None:
        raise ValidationError(_("There is no such result in this batch."))
    if row.participant is None or not user.sites.filter(pk=row.participant.site_id).exists():
        raise PermissionDenied  # another site's participant (docs/ARCHITECTURE.md rule 6)
    if row.status != Status.OUTSIDE_WINDOW:
        raise ValidationError(_("Only a result outside every visit window can be placed; this one is “%(s)s”.")
                              % {"s": row.get_status_display()})
    visit = _visit(row.participant_id, visit_id)
    if visit is None:
        raise ValidationError(_("Choose one of this participant's visits."))
    if not carries_lab_form(visit):
        raise ValidationError(_("Visit %(v)s has no lab form (or no longer applies): choose another visit.")
                              % {"v": visit.code})
    with transaction.atomic():
        # claimed under a lock: a second reviewer placing or accepting the same rows waits, then finds them gone
        group = StagedResult.objects.select_for_update().filter(batch=batch, participant_id=row.participant_id,
                                                                status=Status.OUTSIDE_WINDOW)
        group = group.filter(collected_at=row.collected_at) if whole_panel else group.filter(pk=row.pk)
        rows = list(group.select_related("participant").order_by("position", "id"))
        if not rows:
            raise ValidationError(_("These results were placed or skipped meanwhile."))
        now = timezone.now()
        keys = {r.result_key for r in rows}
        look = Lookup.for_participants([row.participant_id], keys)
        ctx = batch_context(batch.pk, visit=visit, keys=keys, leave_out=[r.pk for r in rows], now=now)
        if look.locked(visit, ctx.database_locked):
            raise ValidationError(_("The lab form of %(v)s is locked: nothing was placed.") % {"v": visit.code})
        for r in rows:
            classify_at_visit(r, visit, look, ctx, key=r.result_key, text=r.reported_value,
                              result_status=r.result_status)
            r.placed_by, r.placed_at, r.placed_reason = user, now, reason
        StagedResult.objects.bulk_update(rows, ["visit", "status", "explanation", "explanation_msgid",
                                                "explanation_args", "placed_by", "placed_at", "placed_reason"])
    return rows


def placement_text(row: StagedResult) -> str:
    """How the audit trail names a placement (the reason for change when the row is accepted)."""
    return _("placed at visit %(v)s by %(u)s: %(r)s") % {
        "v": row.visit.code, "u": row.placed_by.get_username(), "r": row.placed_reason}
