"""Response headers Django 5.2 does not set itself.

- Content-Security-Policy: scripts, styles, fonts and fetches from this origin only, no inline
  script, style attribute or event handler (templates keep their JavaScript in static files;
  tests/edc/test_security_headers.py scans them), images also as data: URLs (report figures),
  no plugins, no framing, forms post only here.
- Permissions-Policy: no camera, microphone, geolocation, payment, USB or motion sensors.
- Cache-Control: no-store on every response to a signed-in user: pages, PDFs and exports carry
  clinical data that must not stay in a shared hospital PC's browser cache.

SecurityMiddleware sets nosniff, Referrer-Policy and Cross-Origin-Opener-Policy (settings), and
XFrameOptionsMiddleware X-Frame-Options: DENY.
"""
from collections.abc import Callable

from django.conf import settings
from django.utils.cache import add_never_cache_headers

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "camera", "geolocation", "gyroscope", "magnetometer", "microphone", "payment",
    "usb"))


class SecurityHeadersMiddleware:
    """Place right after SecurityMiddleware so that every response passes through it."""

    def __init__(self, get_response: Callable):
        self.get_response = get_response
        self.csp = getattr(settings, "EDC_CONTENT_SECURITY_POLICY", CONTENT_SECURITY_POLICY)
        self.static_prefix = "/" + settings.STATIC_URL.lstrip("/")

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.csp)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated and "Cache-Control" not in response
                and not request.path.startswith(self.static_prefix)):
            add_never_cache_headers(response)
        return response
