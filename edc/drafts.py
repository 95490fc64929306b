"""Keys for the browser's encrypted copy of a form being typed (docs/WORKFLOW.md "Nothing a user
typed is lost"). The key never rests in the browser: it is derived here from the user (and their
password hash, so a password change retires it) and a two-hour period, and sent only in pages
served to that user. The page carries the current and the previous period's key, so a copy can be
read back for two to four hours after it was written and never after."""
import time
from urllib.parse import quote

from django.conf import settings
from django.utils.crypto import salted_hmac

PERIOD_SECONDS = 2 * 3600
SAVED_FORM_COOKIE = "edc_saved_form"  # drafts.js reads it, drops that form's copy and deletes it


def draft_keys(user, now: float | None = None) -> list[str]:
    """Hex AES-256 keys, the current period's first (it encrypts; either decrypts)."""
    period = int((time.time() if now is None else now) // PERIOD_SECONDS)
    return [salted_hmac("edc.drafts", f"{user.pk}:{user.password}:{p}", algorithm="sha256").hexdigest()
            for p in (period, period - 1)]


def mark_saved(response, path: str):
    """Tell the next page that the form at `path` was saved, so the browser drops its copy of what was
    typed. A short-lived cookie (the form's address only, no data) rather than the session: a session
    key cost a session write on every save and another on the page after it."""
    response.set_cookie(SAVED_FORM_COOKIE, quote(path, safe=""), max_age=600, path="/", httponly=False,
                        secure=settings.SESSION_COOKIE_SECURE, samesite="Lax")
    return response
