"""The end of a participant's scheduled follow-up: after a discontinuation (protocol 2.5.3) or a
death, the visits that have not started become "not applicable" (crf.status), through the audited
save, one history row per visit."""
from datetime import date

from django.utils.translation import gettext as _

from crf.models import Death, Discontinuation, Visit
from edc.audit import save_changed
from edc.models import Participant
from edc.sites import require_site_member


def apply_discontinuation(participant: Participant, day: date, user, reason: str = "") -> list[Visit]:
    """Mark not applicable every visit whose window opens after `day` and that has no visit date
    (a visit that took place stays, whatever its date). Returns the visits changed."""
    require_site_member(user, participant.site)
    reason = reason or _("Discontinued")
    changed = []
    for visit in participant.visits.filter(window_start__gt=day, visit_date__isnull=True,
                                           not_applicable=False).order_by("month"):
        visit.not_applicable = True
        save_changed(visit, user, reason)
        changed.append(visit)
    return changed


def restore_visits(participant: Participant, day: date, user) -> list[Visit]:
    """Undo "not applicable" for visits whose window opens on or before `day`: the end date was
    corrected to a later day (or the window now precedes it)."""
    changed = []
    for visit in participant.visits.filter(window_start__lte=day, not_applicable=True).order_by("month"):
        visit.not_applicable = False
        save_changed(visit, user, _("End of follow-up date corrected"))
        changed.append(visit)
    return changed


def end_of_follow_up(participant: Participant) -> tuple[date, str] | None:
    """The earliest of the discontinuation date and the date of death, with the reason to record."""
    ends = [(d, _("Discontinued")) for d in
            Discontinuation.objects.filter(participant=participant).values_list("date", flat=True)]
    ends += [(d, _("Died")) for d in
             Death.objects.filter(participant=participant).values_list("date", flat=True)]
    return min(ends, key=lambda end: end[0]) if ends else None


def sync_end_of_follow_up(instance, user) -> None:
    """CrfType.after_save of the discontinuation and death forms (inside save_crf's transaction):
    mark the visits after the end of follow-up, and restore any that a corrected date no longer
    covers."""
    participant = instance.participant
    end = end_of_follow_up(participant)
    if end is None:
        return
    day, reason = end
    restore_visits(participant, day, user)
    apply_discontinuation(participant, day, user, reason)
