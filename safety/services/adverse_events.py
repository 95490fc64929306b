"""Adverse events and SAE cases (protocol 2.5.6, 3.3; docs/DOMAIN.md §6-8).

An AE with at least one ICH E2A seriousness criterion opens an SAE case, which stores when the site
became aware (date and time) and creates the reporting obligations with their deadlines."""
from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from edc.audit import save_changed, save_created
from edc.sites import require_site_member, site_today
from safety import deadlines
from safety.models import AdverseEvent, SaeCase, SaeReport
from safety.vocab import Outcome

AE_FIELDS = ("term", "soc", "onset_date", "end_date", "grade", *AdverseEvent.SERIOUSNESS_FIELDS,
             "causality", "expected", "action", "outcome", "description")


def in_collection_window(ae: AdverseEvent) -> bool:
    """The rule is safety.deadlines.in_collection_window (protocol 2.5.6)."""
    randomization = getattr(ae.participant, "randomization", None)
    return deadlines.in_collection_window(ae.onset_date, randomization and randomization.month0_date,
                                          ae.grade, ae.death)


def _check(ae: AdverseEvent) -> None:
    errors = {}
    today = site_today(ae.participant.site)
    if ae.onset_date and ae.onset_date > today:
        errors["onset_date"] = _("The onset cannot be in the future.")
    elif ae.onset_date and ae.onset_date < ae.participant.screening_date:
        errors["onset_date"] = _("AEs are collected from consent on; this onset is before screening.")
    if ae.end_date and ae.onset_date and ae.end_date < ae.onset_date:
        errors["end_date"] = _("The end date cannot be before the onset.")
    if ae.grade == 5 and ae.outcome != Outcome.FATAL:
        errors["outcome"] = _("Grade 5 means death related to the AE: the outcome must be fatal.")
    if ae.outcome == Outcome.FATAL and not ae.death:
        errors["death"] = _("A fatal outcome is serious: tick 'Results in death'.")
    if errors:
        raise ValidationError(errors)


def _check_awareness(ae: AdverseEvent, aware_at: datetime | None) -> None:
    if aware_at is None:
        raise ValidationError({"aware_at": _("Give the date and time the site became aware.")})
    zone = ZoneInfo(ae.participant.site.timezone)
    if aware_at > timezone.now():
        raise ValidationError({"aware_at": _("Awareness cannot be in the future.")})
    if timezone.localtime(aware_at, zone).date() < ae.onset_date:
        raise ValidationError({"aware_at": _("The site cannot become aware before the onset.")})


def record_ae(participant, *, user, aware_at: datetime | None = None, narrative: str = "",
              **values) -> AdverseEvent:
    require_site_member(user, participant.site)
    ae = AdverseEvent(participant=participant, reported_by=user,
                      **{k: v for k, v in values.items() if k in AE_FIELDS})
    _check(ae)
    if ae.is_serious:
        _check_awareness(ae, aware_at)
        if not narrative.strip():
            raise ValidationError({"narrative": _("An SAE needs a narrative.")})
    ae.in_collection_window = in_collection_window(ae)
    with transaction.atomic():
        save_created(ae, user)
        if ae.is_serious:
            open_sae_case(ae, user=user, aware_at=aware_at, narrative=narrative)
    return ae


def update_ae(ae: AdverseEvent, *, user, reason: str, **values) -> list[str]:
    require_site_member(user, ae.participant.site)
    for name, value in values.items():
        if name in AE_FIELDS:
            setattr(ae, name, value)
    _check(ae)
    if hasattr(ae, "sae") and not ae.is_serious:
        raise ValidationError(_("This AE has an SAE case; it keeps at least one seriousness criterion."))
    ae.in_collection_window = in_collection_window(ae)
    with transaction.atomic():
        return save_changed(ae, user, reason)


def open_sae_case(ae: AdverseEvent, *, user, aware_at: datetime, narrative: str) -> SaeCase:
    """Called for an AE that is serious (at creation, or when it becomes serious later)."""
    from safety.services.obligations import create_obligations

    if not ae.is_serious:
        raise ValidationError(_("An SAE needs at least one seriousness criterion (ICH E2A)."))
    if hasattr(ae, "sae"):
        raise ValidationError(_("This AE already has an SAE case."))
    _check_awareness(ae, aware_at)
    case = save_created(SaeCase(adverse_event=ae, participant=ae.participant, aware_at=aware_at,
                                narrative=narrative.strip()), user)
    save_created(SaeReport(case=case, participant=ae.participant, kind=SaeReport.Kind.INITIAL, number=1,
                           reported_at=timezone.now(), content=narrative.strip(), reporter=user), user)
    create_obligations(case)
    return case


def add_follow_up(case: SaeCase, *, user, content: str) -> SaeReport:
    require_site_member(user, case.participant.site)
    if not content.strip():
        raise ValidationError({"content": _("Write the follow-up information.")})
    with transaction.atomic():
        number = (case.reports.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        return save_created(SaeReport(case=case, participant=case.participant, kind=SaeReport.Kind.FOLLOW_UP,
                                      number=number, reported_at=timezone.now(), content=content.strip(),
                                      reporter=user), user)
