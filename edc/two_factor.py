"""Second factor (TOTP, django-otp) for the roles a password alone must not open.

Who needs it: `edc.roles.TWO_FACTOR_ROLES` (PI, randomization administrator, pharmacist, data
manager), staff and superusers (the admin). Users outside these are not touched.

`TwoFactorMiddleware` runs after `AccessPolicyMiddleware` has accepted a view: a signed-in user who
needs the second factor and has not given it this session reaches no page but the sign-in steps —
deny by default. Pages are redirected to the verify page (or to enrolment when the user has no
confirmed device yet); JSON and API calls answer 403. Public views (sign-in, the two steps
themselves, sign-out, language switch, the token API) stay open: they are open to anyone anyway.
"""
from collections.abc import Callable
from urllib.parse import urlencode

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from edc import roles
from edc.access import PUBLIC, has_any_role, view_access


def needs_two_factor(user) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or user.is_staff or has_any_role(user, roles.TWO_FACTOR_ROLES)


def is_verified(user) -> bool:
    """Verified this session by a confirmed device (set by django_otp's OTPMiddleware)."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def pending(user) -> bool:
    """Signed in with the password but still owes the second factor."""
    return needs_two_factor(user) and not is_verified(user)


def has_confirmed_device(user) -> bool:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def next_step_url(user, next_url: str) -> str:
    name = "two_factor_verify" if has_confirmed_device(user) else "two_factor_enrol"
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def wants_json(request) -> bool:
    accept = request.headers.get("Accept", "")
    return (request.path.startswith("/api/") or request.path.endswith(".json")
            or request.headers.get("X-Requested-With") == "XMLHttpRequest"
            or ("application/json" in accept and "text/html" not in accept))


class TwoFactorMiddleware:
    """Place after AccessPolicyMiddleware (its process_view runs first) and django_otp's OTPMiddleware."""

    def __init__(self, get_response: Callable):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if view_access(view_func) == PUBLIC or not pending(request.user):
            return None
        if wants_json(request):
            return JsonResponse({"error": "two-factor verification required"}, status=403)
        return redirect(next_step_url(request.user, request.get_full_path()))
