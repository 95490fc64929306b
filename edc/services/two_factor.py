"""Second-factor writes: enrol a TOTP device, check a code, reset a user's devices.

A code is checked under a row lock on the device (django_otp's own pattern), so two requests cannot
both use one code; django-otp throttles a device after wrong codes (1, 2, 4, 8 ... seconds) and
refuses a code it has already accepted. Wrong codes are logged.
"""
import logging
import math
from base64 import b32encode

import django_otp
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from edc import roles
from edc.access import has_any_role
from edc.audit import REASON_MAX_LENGTH
from edc.models import TwoFactorReset

log = logging.getLogger("edc.two_factor")

DEVICE_NAME = "authenticator"


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def pending_device(user) -> TOTPDevice:
    """The unconfirmed device an enrolment shows (the same one on every visit until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def secret_base32(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it when typed by hand."""
    return b32encode(device.bin_key).decode()


def check_code(user, device: TOTPDevice, code: str) -> TOTPDevice:
    """Return the device when `code` is right; raise ValidationError with a clear message when not.

    The failure count is committed before the error is raised (outside the atomic block), so
    throttling holds across attempts.
    """
    refused_for = None
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().filter(pk=device.pk, user=user).first()
        if locked is None:
            raise ValidationError(_("This device no longer exists; sign in again."))
        allowed, info = locked.verify_is_allowed()
        if not allowed:
            refused_for = (info or {}).get("locked_until")
        elif locked.verify_token(code):
            return locked
        failures = locked.throttling_failure_count
    if refused_for is not None:
        seconds = max(1, math.ceil((refused_for - timezone.now()).total_seconds()))
        log.warning("two-factor code refused for %s: throttled after %d wrong codes", user.username, failures)
        raise ValidationError(_("Too many wrong codes. Wait %(seconds)d seconds, then try again.")
                              % {"seconds": seconds}, code="throttled")
    log.warning("wrong two-factor code for %s (%d in a row)", user.username, failures)
    raise ValidationError(_("That code is not right. Enter the 6-digit code your authenticator app "
                            "shows now."), code="wrong")


def confirm_enrolment(user, device: TOTPDevice, code: str) -> TOTPDevice:
    """Confirm the pending device with a first valid code. Nothing is confirmed on a wrong code."""
    if confirmed_device(user) is not None:
        raise ValidationError(_("You already have an authenticator; ask the data manager to reset it."))
    device = check_code(user, device, code)
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()  # left-over enrolments
    log.info("two-factor device enrolled for %s", user.username)
    return device


def complete_sign_in(request, device: TOTPDevice) -> None:
    """Mark this session as verified by `device` (a new session key: the privilege went up)."""
    request.session.cycle_key()
    django_otp.login(request, device)


def reset_devices(user, *, by, reason: str) -> TwoFactorReset:
    """Remove every device of `user` (lost phone, new phone); they enrol again at next sign-in.

    A reset hands the account to whoever sets up the new device, so it follows the grant rules
    (edc.services.grants.authorize): a data manager resets only blinded, non-staff accounts other
    than their own; the system administrator (`manage.py access reset-2fa`) any. Reason required.
    """
    from edc.services import grants

    if not (grants.is_system(by) or by.is_superuser or has_any_role(by, {roles.DATA_MANAGER})):
        raise PermissionDenied(_("Only a data manager may reset a second factor."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason for this reset.")})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": _("Keep the reason under %(n)d characters.") % {"n": REASON_MAX_LENGTH}})
    grants.authorize(by, user, grants.Kind.AUTHENTICATOR)
    with transaction.atomic():
        removed, _by_model = TOTPDevice.objects.filter(user=user).delete()
        record = TwoFactorReset.objects.create(user=user, reset_by=None if grants.is_system(by) else by,
                                               reason=reason, devices_removed=removed)
        grants.log_authenticator_reset(user, by=by, reason=reason)
    log.warning("two-factor devices of %s reset by %s: %s", user.username,
                by.label if grants.is_system(by) else by.username, reason)
    return record
