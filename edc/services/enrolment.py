"""Enrolment (protocol 2.4): consented and eligible only; assigns the pseudonymous participant ID."""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from edc.audit import save_changed
from edc.models import Participant, ParticipantStatus, PriorTherapy, Site
from edc.sites import require_site_member

from .consent import has_main_consent


def participant_code(site: Site, number: int) -> str:
    # Pseudonymous: the site prefix and the order of enrolment, nothing about the person (2.10).
    return f"{site.participant_prefix}-{number:03d}"


def enrol_participant(participant: Participant, *, user, prior_therapy: str) -> Participant:
    require_site_member(user, participant.site)
    if prior_therapy not in PriorTherapy.values:
        raise ValidationError({"prior_therapy": _("Choose the prior first-line therapy.")})
    with transaction.atomic():
        # Lock the site row: enrolment numbers are handed out one at a time per site.
        site = Site.objects.select_for_update().get(pk=participant.site_id)
        participant = Participant.objects.select_for_update().get(pk=participant.pk)
        if participant.status == ParticipantStatus.ENROLLED:
            raise ValidationError(_("%(p)s is already enrolled.") % {"p": participant.label})
        if not has_main_consent(participant):
            raise ValidationError(_("Only a consented person can be enrolled (protocol 2.3)."))
        assessment = getattr(participant, "eligibility", None)
        if assessment is None:
            raise ValidationError(_("Assess eligibility before enrolment."))
        if not assessment.eligible:
            raise ValidationError(_("Only an eligible person can be enrolled."))
        last = site.participants.aggregate(n=Max("enrolment_number"))["n"] or 0
        participant.enrolment_number = last + 1
        participant.participant_code = participant_code(site, last + 1)
        participant.status = ParticipantStatus.ENROLLED
        participant.enrolled_at = timezone.now()
        participant.enrolled_by = user
        participant.prior_therapy = prior_therapy
        save_changed(participant, user, _("Enrolled"))
    return participant
