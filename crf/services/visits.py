"""Visits: created from the declared schedule at randomization; recorded as done or missed."""
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from crf.models import Visit
from crf.schedule import SCHEDULE
from edc.audit import save_changed
from edc.sites import require_site_member, site_today


def create_visits(randomization, user) -> list[Visit]:
    """Called inside randomize()'s transaction (randomization.hooks): the whole schedule at once."""
    month0 = randomization.month0_date
    visits = []
    for v in SCHEDULE:
        start, end = v.window(month0)
        visits.append(Visit(participant=randomization.participant, code=v.code, month=v.month,
                            target_date=v.target(month0), window_start=start, window_end=end))
    return bulk_create_with_history(visits, Visit, default_user=user,
                                    default_change_reason="Schedule created at randomization")


def record_visit_date(visit: Visit, *, user, visit_date: date, reason: str = "") -> None:
    require_site_member(user, visit.participant.site)
    today = site_today(visit.participant.site)
    if visit_date > today:
        raise ValidationError({"visit_date": _("The visit date cannot be in the future.")})
    month0 = visit.participant.randomization.month0_date
    if visit_date < month0:
        raise ValidationError({"visit_date": _("The visit date cannot precede month 0 (%(d)s).") % {
            "d": month0.isoformat()}})
    first_record = visit.visit_date is None and not visit.missed_reason
    visit.visit_date, visit.missed_reason, visit.recorded_by = visit_date, "", user
    with transaction.atomic():
        save_changed(visit, user, reason or (_("Visit date recorded") if first_record else ""))
        if visit.code == "m6":  # "at month 6" is this day now: judge the prednisone log on it
            from crf.ecrf.prednisone import reevaluate_month6  # the eCRFs import this module
            reevaluate_month6(visit.participant, user)


def record_missed(visit: Visit, *, user, reason: str) -> None:
    require_site_member(user, visit.participant.site)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"missed_reason": _("Say why the visit was missed.")})
    if visit.visit_date is not None:
        raise ValidationError(_("This visit took place; correct its date instead."))
    visit.missed_reason, visit.recorded_by = reason[:300], user
    with transaction.atomic():
        save_changed(visit, user, _("Marked missed"))
