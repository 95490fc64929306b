"""The sign-in's second step: enrol an authenticator app once, then give its code.

Both pages are `@public` like the sign-in page they continue: TwoFactorMiddleware must let a user
who owes the second factor reach them. Each checks for itself that someone signed in with the
password; anyone else goes to the sign-in page.
"""
import segno
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods

from edc.access import public
from edc.forms.two_factor import CodeForm
from edc.services import two_factor as svc
from edc.two_factor import next_step_url, pending


def _next(request) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return url
    return reverse(settings.LOGIN_REDIRECT_URL)


def _elsewhere(request):
    """Where to send a user for whom this step is not due, or None when it is."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
    if not pending(request.user):  # not needed, or given already
        return redirect(_next(request))
    return None


def _qr_svg(device) -> str:
    """The otpauth:// URL as an inline SVG (no image request, no third party sees the secret)."""
    svg = segno.make(device.config_url, error="m").svg_inline(scale=4, border=2, light="white", title="QR")
    return mark_safe(svg)  # segno writes only paths and the fixed title: no user text inside


@public
@require_http_methods(["GET", "POST"])
def enrol(request):
    if (away := _elsewhere(request)) is not None:
        return away
    if svc.confirmed_device(request.user) is not None:
        return redirect(next_step_url(request.user, _next(request)))
    device = svc.pending_device(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = svc.confirm_enrolment(request.user, device, form.cleaned_data["code"])
        except ValidationError as e:
            form.add_error("code", e)
        else:
            svc.complete_sign_in(request, device)
            return redirect(_next(request))
    return render(request, "edc/two_factor_enrol.html", {
        "form": form, "next": _next(request), "qr": _qr_svg(device),
        "secret": _grouped(svc.secret_base32(device))})


@public
@require_http_methods(["GET", "POST"])
def verify(request):
    if (away := _elsewhere(request)) is not None:
        return away
    device = svc.confirmed_device(request.user)
    if device is None:
        return redirect(next_step_url(request.user, _next(request)))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = svc.check_code(request.user, device, form.cleaned_data["code"])
        except ValidationError as e:
            form.add_error("code", e)
        else:
            svc.complete_sign_in(request, device)
            return redirect(_next(request))
    return render(request, "edc/two_factor_verify.html", {"form": form, "next": _next(request)})


def _grouped(secret: str) -> str:
    """ABCD EFGH ...: easier to type into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
