"""Session lifetime and site time zone.

Idle timeout (docs/WORKFLOW.md "Nothing a user typed is lost"): a session ends SESSION_COOKIE_AGE
seconds after it was last written. Writing it on every request (SESSION_SAVE_EVERY_REQUEST) cost an
UPDATE and a cache write on every page, /ping/ included; instead a signed-in request rewrites it only
when the last write is SESSION_TOUCH_SECONDS old (or something else changed it), so the idle timeout
ends a session between SESSION_COOKIE_AGE - SESSION_TOUCH_SECONDS and SESSION_COOKIE_AGE after the
last request. The absolute lifetime (12 h) is enforced here too: a session older than that ends
whatever the activity.
"""
import time
import zoneinfo

from django.conf import settings
from django.contrib.auth import logout
from django.utils import timezone

SESSION_STARTED = "edc_session_started"
SESSION_TOUCHED = "edc_session_touched"  # when the session was last written (its idle deadline's start)


def touch(session, now: float | None = None) -> None:
    """Rewrite the session at the end of this request: its idle deadline starts again."""
    session[SESSION_TOUCHED] = time.time() if now is None else now


def touch_due(session, now: float) -> bool:
    touched = session.get(SESSION_TOUCHED)
    return touched is None or now - touched >= settings.SESSION_TOUCH_SECONDS


def idle_seconds_left(session, now: float) -> int:
    """Seconds until the idle timeout ends this session, as of the page being rendered: the full age
    when this request rewrites the session, else what is left since the last write (never more)."""
    if touch_due(session, now):
        return settings.SESSION_COOKIE_AGE
    return max(1, int(session[SESSION_TOUCHED] + settings.SESSION_COOKIE_AGE - now))


class SessionLifetimeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            started = request.session.get(SESSION_STARTED)
            if started is not None and time.time() - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
        response = self.get_response(request)
        user = getattr(request, "user", None)  # signed in or out during the request
        if user is not None and user.is_authenticated:
            session = request.session
            now = time.time()  # after the page was rendered: a page that showed the full idle time is written
            if SESSION_STARTED not in session:
                session[SESSION_STARTED] = now  # the sign-in request, which writes the session anyway
            if session.modified or touch_due(session, now):
                touch(session, now)  # written anyway, or due: the idle deadline moves on
        return response


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
