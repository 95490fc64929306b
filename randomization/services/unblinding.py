"""Emergency unblinding (protocol 2.8.2; docs/DOMAIN.md §9; docs/ACCESS_CONTROL.md "Code break").

The code break needs the code-break permission (a central grant, edc.services.grants), a reason,
the password and the current authenticator code, for one participant of the requester's own site.
The arm is shown to the requester, or only e-mailed to a named third party (the treating physician)
while the requester stays blinded. The participant stays unblinded for good; sponsor and CRO are
notified at once (by Celery after commit). An investigator without the permission files a request
instead, which alerts the site's PI and the site's code-break holders at once.
"""
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from edc.access import has_any_role
from edc.audit import save_created
from edc.models import ExternalContact, Participant, User
from edc.roles import INVESTIGATORS, PRINCIPAL_INVESTIGATOR
from edc.services import two_factor
from edc.services.grants import CODE_BREAK_PERMISSION, holds_code_break
from edc.services.notifications import Recipient, notify_each
from edc.sites import require_site_member
from randomization.blinding import arm_label_for_named_physician
from randomization.models import EmergencyUnblinding, UnblindingRequest

MIN_REASON = 10


def unblinding_recipients(participant: Participant) -> list[Recipient]:
    """Sponsor and CRO contacts by e-mail, and the site's PIs in-app and by e-mail."""
    contacts = [Recipient(label=f"{c.get_organisation_display()}: {c.name}", email=c.email, language=c.language)
                for c in ExternalContact.objects.filter(
                    active=True, receives_unblinding=True,
                    organisation__in=[ExternalContact.Organisation.SPONSOR,
                                      ExternalContact.Organisation.CRO])]
    return site_pis(participant) + contacts


def site_pis(participant: Participant) -> list[Recipient]:
    return [Recipient(label=_("Principal investigator"), user=u) for u in User.objects.filter(
        sites=participant.site, groups__name=PRINCIPAL_INVESTIGATOR, is_active=True).distinct()]


def code_break_holders(participant: Participant) -> list[User]:
    app_label, codename = CODE_BREAK_PERMISSION
    return list(User.objects.filter(
        sites=participant.site, is_active=True, user_permissions__codename=codename,
        user_permissions__content_type__app_label=app_label).distinct())


def _check_requester(participant: Participant, user) -> None:
    require_site_member(user, participant.site)  # own site only: another site's participant is refused
    if not has_any_role(user, INVESTIGATORS):
        raise PermissionDenied(_("Only an investigator may break the code."))


def _check_unblindable(participant: Participant) -> None:
    if not hasattr(participant, "randomization"):
        raise ValidationError(_("This participant has not been randomized; there is nothing to unblind."))
    if hasattr(participant, "emergency_unblinding"):
        raise ValidationError(_("This participant was already unblinded by %(u)s.") % {
            "u": participant.emergency_unblinding.requested_by.printed_name})


def emergency_unblind(participant: Participant, *, user, reason: str, password: str, code: str = "",
                      reveal_to_name: str = "", reveal_to_email: str = "") -> EmergencyUnblinding:
    _check_requester(participant, user)
    if not holds_code_break(user):
        raise PermissionDenied(_("You do not hold the code-break permission. File an unblinding "
                                 "request: the principal investigator is alerted at once."))
    errors = {}
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        errors["reason"] = _("Describe the safety reason (at least %(n)d characters).") % {"n": MIN_REASON}
    reveal_to_name, reveal_to_email = (reveal_to_name or "").strip(), (reveal_to_email or "").strip()
    if reveal_to_email:
        try:
            validate_email(reveal_to_email)
        except ValidationError:
            errors["reveal_to_email"] = _("Enter a valid e-mail address.")
        if not reveal_to_name:
            errors["reveal_to_name"] = _("Name the person who receives the allocation.")
    elif reveal_to_name:
        errors["reveal_to_email"] = _("Give the e-mail address the allocation is sent to.")
    if not password or not user.check_password(password):
        errors["password"] = _("The password is not correct.")
    if errors:
        raise ValidationError(errors)
    _check_unblindable(participant)
    device = two_factor.confirmed_device(user)
    if device is None:
        raise ValidationError({"code": _("You have no authenticator; enrol one before breaking the code.")})
    if not (code or "").strip():
        raise ValidationError({"code": _("Enter the 6-digit code your authenticator app shows now.")})
    try:
        two_factor.check_code(user, device, code.strip())
    except ValidationError as error:
        raise ValidationError({"code": error.messages})
    now = timezone.now()
    try:
        with transaction.atomic():
            record = save_created(EmergencyUnblinding(
                participant=participant, requested_by=user, requested_at=now, reason=reason,
                reveal_to_name=reveal_to_name, reveal_to_email=reveal_to_email), user,
                _("Emergency unblinding"))
            # The notice names the participant, blind code, who, when and why — never the arm.
            notify_each(kind="unblinding", event_key=f"unblinding:{record.pk}",
                        recipients=unblinding_recipients(participant),
                        render=lambda _r: _unblinding_message(record),
                        link=reverse("unblinding_record", args=[participant.pk]))
            if reveal_to_email:
                _send_arm_to_third_party(record)
    except IntegrityError:
        raise ValidationError(_("This participant was already unblinded."))
    return record


def _send_arm_to_third_party(record: EmergencyUnblinding) -> None:
    """The only e-mail that names an arm: to the physician named at the code break, by the same
    exactly-once delivery machinery (edc.services.notifications), with no in-app copy. The physician
    is not a user of the EDC, so it is written in the trial's default language (Recipient.lang)."""
    notify_each(kind="unblinding_reveal", event_key=f"unblinding-reveal:{record.pk}",
                recipients=[Recipient(label=record.reveal_to_name, email=record.reveal_to_email)],
                render=lambda _r: _reveal_message(record))


def _reveal_message(record: EmergencyUnblinding) -> tuple[str, str]:
    p = record.participant
    subject = _("[EDC] Emergency unblinding %(participant)s: allocation for the treating physician") % {
        "participant": p.participant_code}
    body = _("Dear %(name)s,\n\nParticipant %(participant)s (blind code %(code)s, site %(site)s) was "
             "emergency-unblinded for you by %(user)s.\nReason: %(reason)s\n\nAllocation: %(allocation)s\n\n"
             "The requesting investigator has not been told the allocation. Please keep it to those who need "
             "it for the participant's care.") % {
        "name": record.reveal_to_name, "participant": p.participant_code, "code": p.randomization.blind_code,
        "site": p.site, "user": record.requested_by.printed_name, "reason": record.reason,
        "allocation": arm_label_for_named_physician(record)}
    return subject, body


def request_unblinding(participant: Participant, *, user, reason: str,
                       treating_physician: str = "") -> UnblindingRequest:
    """File a request; the site's PI and code-break holders are alerted at once (in-app + e-mail)."""
    _check_requester(participant, user)
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise ValidationError({"reason": _("Describe the safety reason (at least %(n)d characters).")
                               % {"n": MIN_REASON}})
    _check_unblindable(participant)
    now = timezone.now()
    with transaction.atomic():
        request = save_created(UnblindingRequest(
            participant=participant, requested_by=user, requested_at=now, reason=reason,
            treating_physician=(treating_physician or "").strip()[:300]), user, _("Unblinding request"))
        people = {r.user.pk: r for r in site_pis(participant)}
        for holder in code_break_holders(participant):
            people.setdefault(holder.pk, Recipient(label=_("Code-break holder"), user=holder))
        notify_each(kind="unblinding_request", event_key=f"unblinding-request:{request.pk}",
                    recipients=list(people.values()), render=lambda _r: _request_message(request),
                    link=reverse("unblind", args=[participant.pk]))
    return request


def _request_message(request: UnblindingRequest) -> tuple[str, str]:
    """In the active language (the recipient's): who asks, for whom, when and why — never the arm."""
    participant = request.participant
    subject = _("[EDC] URGENT: unblinding requested for %(participant)s") % {
        "participant": participant.participant_code}
    body = _("%(user)s asks for the emergency unblinding of participant %(participant)s (blind code %(code)s, "
             "site %(site)s) at %(at)s.\nReason: %(reason)s\nTreating physician: %(physician)s\n"
             "Only a holder of the code-break permission can break the code, in the EDC.") % {
        "user": request.requested_by.printed_name, "participant": participant.participant_code,
        "code": participant.randomization.blind_code, "site": participant.site,
        "at": timezone.localtime(request.requested_at).strftime("%Y-%m-%d %H:%M %Z"),
        "reason": request.reason, "physician": request.treating_physician or "-"}
    return subject, body


def _unblinding_message(record: EmergencyUnblinding) -> tuple[str, str]:
    """In the active language (the recipient's): who, when and why — never the arm."""
    participant = record.participant
    subject = _("[EDC] Emergency unblinding %(participant)s") % {"participant": participant.participant_code}
    body = _("Participant %(participant)s (blind code %(code)s, site %(site)s) was emergency-unblinded by "
             "%(user)s at %(at)s.\nReason: %(reason)s\nThe allocation was revealed to the requesting "
             "investigator only.") % {
        "participant": participant.participant_code, "code": participant.randomization.blind_code,
        "site": participant.site, "user": record.requested_by.printed_name,
        "at": timezone.localtime(record.requested_at).strftime("%Y-%m-%d %H:%M %Z"), "reason": record.reason}
    if record.reveal_to_email:  # protocol 2.8.2: revealed to a named third party, requester blinded
        body = body.rsplit("\n", 1)[0] + "\n" + _(
            "The allocation was e-mailed to %(name)s only; the requesting investigator stays blinded.") % {
            "name": record.reveal_to_name}
    return subject, body
