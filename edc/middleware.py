"""Session lifetime and site time zone.

Idle timeout is the session cookie age, renewed on every request (settings). The absolute lifetime
(12 h) is enforced here: a session older than that ends whatever the activity.
"""
import time
import zoneinfo

from django.conf import settings
from django.contrib.auth import logout
from django.utils import timezone

SESSION_STARTED = "edc_session_started"


class SessionLifetimeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            started = request.session.get(SESSION_STARTED)
            now = time.time()
            if started is None:
                request.session[SESSION_STARTED] = now
            elif now - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
        return self.get_response(request)


class SiteTimezoneMiddleware:
    """Show times in the zone of the user's (first) site; Asia/Shanghai by default."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = settings.EDC_DEFAULT_SITE_TIMEZONE
        if request.user.is_authenticated:
            zone = request.session.get("edc_tz") or zone
        timezone.activate(zoneinfo.ZoneInfo(zone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
