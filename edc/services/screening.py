"""Screening log (protocol 2.2): the first record of a person, before consent."""
import re
from datetime import date
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from edc.audit import save_changed, save_created
from edc.models import Participant, ParticipantStatus, Site
from edc.sites import require_site_member, site_today

INITIALS = re.compile(r"^[A-Z]{2,4}$")
SCREENING_NUMBER = re.compile(r"^[A-Za-z0-9-]{1,20}$")
OLDEST_AGE_YEARS = 120


def _check_screening(site: Site, screening_number: str, screening_date: date,
                     initials: str, date_of_birth: date, exclude_pk=None) -> None:
    errors: dict[str, str] = {}
    today = site_today(site)
    if not SCREENING_NUMBER.match(screening_number or ""):
        errors["screening_number"] = _("Use letters, digits and hyphens only (at most 20).")
    elif Participant.objects.filter(site=site, screening_number=screening_number).exclude(
            pk=exclude_pk).exists():
        errors["screening_number"] = _("Screening number %(n)s is already used at this site.") % {
            "n": screening_number}
    if not INITIALS.match(initials or ""):
        errors["initials"] = _("Initials are 2 to 4 capital letters, e.g. ZXM.")
    if screening_date > today:
        errors["screening_date"] = _("The screening date cannot be in the future.")
    if date_of_birth > today:
        errors["date_of_birth"] = _("The date of birth cannot be in the future.")
    elif date_of_birth >= screening_date:
        errors["date_of_birth"] = _("The date of birth must be before the screening date.")
    elif screening_date.year - date_of_birth.year > OLDEST_AGE_YEARS:
        errors["date_of_birth"] = _("Check the date of birth: the age would be over 120 years.")
    if errors:
        raise ValidationError(errors)


def screen_participant(*, user, site: Site, screening_number: str, screening_date: date,
                       initials: str, date_of_birth: date, sex: str) -> Participant:
    """Add a person to the site's screening log."""
    require_site_member(user, site)
    initials = (initials or "").strip().upper()
    screening_number = (screening_number or "").strip()
    _check_screening(site, screening_number, screening_date, initials, date_of_birth)
    participant = Participant(site=site, screening_number=screening_number,
                              screening_date=screening_date, initials=initials,
                              date_of_birth=date_of_birth, sex=sex)
    try:
        with transaction.atomic():
            return save_created(participant, user)
    except IntegrityError:  # a colleague took the same number a moment ago
        raise ValidationError({"screening_number": _(
            "Screening number %(n)s is already used at this site.") % {"n": screening_number}})


def update_screening(participant: Participant, *, user, reason: str, **values) -> list[str]:
    """Correct the screening log entry; every change needs a reason (audit)."""
    require_site_member(user, participant.site)
    for name in ("screening_number", "screening_date", "initials", "date_of_birth", "sex"):
        if name in values:
            setattr(participant, name, values[name])
    participant.initials = (participant.initials or "").strip().upper()
    _check_screening(participant.site, participant.screening_number, participant.screening_date,
                     participant.initials, participant.date_of_birth, exclude_pk=participant.pk)
    first_consent = participant.consents.order_by("consented_at").first()
    zone = ZoneInfo(participant.site.timezone)
    consent_day = first_consent and timezone.localtime(first_consent.consented_at, zone).date()
    if consent_day and consent_day < participant.screening_date:
        raise ValidationError({"screening_date": _(
            "The screening date cannot be after the consent already recorded.")})
    with transaction.atomic():
        return save_changed(participant, user, reason)


def record_screen_failure(participant: Participant, *, user, reason_code: str, note: str) -> None:
    """Close a screening without enrolment for a reason other than the eligibility verdict
    (declined consent counts as exclusion 1), kept for the CONSORT diagram."""
    require_site_member(user, participant.site)
    if participant.status == ParticipantStatus.ENROLLED:
        raise ValidationError(_("An enrolled participant cannot become a screen failure."))
    if reason_code not in {"exc1", "withdrew", "other"}:
        raise ValidationError({"reason_code": _("Choose a reason.")})
    if reason_code == "other" and not note.strip():
        raise ValidationError({"note": _("Describe the reason.")})
    participant.status = ParticipantStatus.SCREEN_FAILED
    participant.screen_failure_reasons = [reason_code]
    participant.screen_failure_note = note.strip()
    with transaction.atomic():
        save_changed(participant, user, _("Screen failure recorded"))
