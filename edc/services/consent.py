"""Informed consent (protocol 2.3, 2.4, 2.12): written, taken by a clinician, before any trial
procedure; a separate consent for research use of specimens."""
from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from edc.access import has_any_role
from edc.audit import save_changed, save_created
from edc.models import Consent, ConsentKind, Participant, ParticipantStatus
from edc.roles import INVESTIGATORS
from edc.sites import require_site_member


def _check(participant: Participant, kind: str, consented_at: datetime, obtained_by) -> None:
    errors: dict[str, str] = {}
    zone = ZoneInfo(participant.site.timezone)
    if consented_at > timezone.now():
        errors["consented_at"] = _("The consent time cannot be in the future.")
    elif timezone.localtime(consented_at, zone).date() < participant.screening_date:
        errors["consented_at"] = _("Consent cannot be dated before the screening date (%(d)s).") % {
            "d": participant.screening_date.isoformat()}
    if not (has_any_role(obtained_by, INVESTIGATORS)
            and obtained_by.sites.filter(pk=participant.site_id).exists()):
        errors["obtained_by"] = _("Consent is taken by a clinician of this site (protocol 2.3).")
    if kind == ConsentKind.BIOSPECIMEN:
        main = participant.consents.filter(kind=ConsentKind.MAIN).first()
        if main is None:
            errors["kind"] = _("Record the main trial consent first.")
        elif consented_at < main.consented_at:
            errors["consented_at"] = _("The biospecimen consent cannot precede the main consent.")
    if errors:
        raise ValidationError(errors)


def record_consent(participant: Participant, *, user, kind: str, form_version: str,
                   consented_at: datetime, obtained_by) -> Consent:
    require_site_member(user, participant.site)
    if participant.status == ParticipantStatus.SCREEN_FAILED:
        raise ValidationError(_("This person is a screen failure; consent cannot be added."))
    if participant.consents.filter(kind=kind).exists():
        raise ValidationError({"kind": _("This consent is already recorded; correct it instead.")})
    _check(participant, kind, consented_at, obtained_by)
    consent = Consent(participant=participant, kind=kind, form_version=form_version.strip(),
                      consented_at=consented_at, obtained_by=obtained_by)
    with transaction.atomic():
        return save_created(consent, user)


def update_consent(consent: Consent, *, user, reason: str, form_version: str,
                   consented_at: datetime, obtained_by) -> list[str]:
    require_site_member(user, consent.participant.site)
    _check(consent.participant, consent.kind, consented_at, obtained_by)
    consent.form_version = form_version.strip()
    consent.consented_at = consented_at
    consent.obtained_by = obtained_by
    with transaction.atomic():
        return save_changed(consent, user, reason)


def has_main_consent(participant: Participant) -> bool:
    return participant.consents.filter(kind=ConsentKind.MAIN).exists()
