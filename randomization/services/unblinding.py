"""Emergency unblinding (protocol 2.8; DOMAIN_REFERENCE §9): the investigator decides alone, for one
participant, with a reason and the password re-entered. The arm is shown to that user only; the
participant stays unblinded for good; sponsor and CRO are notified at once (by Celery after commit)."""
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from edc.access import has_any_role
from edc.audit import save_created
from edc.models import ExternalContact, Participant
from edc.roles import INVESTIGATORS, PRINCIPAL_INVESTIGATOR
from edc.services.notifications import Recipient, notify_each
from edc.services.screening import require_site_member
from randomization.models import EmergencyUnblinding

MIN_REASON = 10


def unblinding_recipients(participant: Participant) -> list[Recipient]:
    """Sponsor and CRO contacts by e-mail, and the site's PIs in-app and by e-mail."""
    from edc.models import User

    people = [Recipient(label=_("Principal investigator"), user=u) for u in User.objects.filter(
        sites=participant.site, groups__name=PRINCIPAL_INVESTIGATOR, is_active=True).distinct()]
    contacts = [Recipient(label=f"{c.get_organisation_display()}: {c.name}", email=c.email, language=c.language)
                for c in ExternalContact.objects.filter(
                    active=True, receives_unblinding=True,
                    organisation__in=[ExternalContact.Organisation.SPONSOR,
                                      ExternalContact.Organisation.CRO])]
    return people + contacts


def emergency_unblind(participant: Participant, *, user, reason: str, password: str) -> EmergencyUnblinding:
    require_site_member(user, participant.site)
    if not has_any_role(user, INVESTIGATORS):
        raise PermissionDenied
    errors = {}
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        errors["reason"] = _("Describe the safety reason (at least %(n)d characters).") % {"n": MIN_REASON}
    if not password or not user.check_password(password):
        errors["password"] = _("The password is not correct.")
    if errors:
        raise ValidationError(errors)
    if not hasattr(participant, "randomization"):
        raise ValidationError(_("This participant has not been randomized; there is nothing to unblind."))
    if hasattr(participant, "emergency_unblinding"):
        raise ValidationError(_("This participant was already unblinded by %(u)s.") % {
            "u": participant.emergency_unblinding.requested_by.printed_name})
    now = timezone.now()
    try:
        with transaction.atomic():
            record = save_created(EmergencyUnblinding(
                participant=participant, requested_by=user, requested_at=now, reason=reason), user,
                _("Emergency unblinding"))
            # The notice names the participant, blind code, who, when and why — never the arm.
            notify_each(kind="unblinding", event_key=f"unblinding:{record.pk}",
                        recipients=unblinding_recipients(participant),
                        render=lambda _r: _unblinding_message(participant, user, now, reason),
                        link=reverse("unblinding_record", args=[participant.pk]))
    except IntegrityError:
        raise ValidationError(_("This participant was already unblinded."))
    return record


def _unblinding_message(participant: Participant, user, at, reason: str) -> tuple[str, str]:
    """In the active language (the recipient's): who, when and why — never the arm."""
    subject = _("[EDC] Emergency unblinding %(participant)s") % {"participant": participant.participant_code}
    body = _("Participant %(participant)s (blind code %(code)s, site %(site)s) was emergency-unblinded by "
             "%(user)s at %(at)s.\nReason: %(reason)s\nThe allocation was revealed to the requesting "
             "investigator only.") % {
        "participant": participant.participant_code, "code": participant.randomization.blind_code,
        "site": participant.site, "user": user.printed_name,
        "at": timezone.localtime(at).strftime("%Y-%m-%d %H:%M %Z"), "reason": reason}
    return subject, body
