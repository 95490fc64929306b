"""The statistician's API token (docs/WORKFLOW.md "API tokens"): rotating it revokes every earlier
token of the user and issues a new one, audited (who, when, why) in the token's history; only the
SHA-256 of a key is ever stored, so the key is shown once, at rotation."""
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from edc import roles
from edc.access import has_any_role
from edc.audit import save_changed, save_created
from exports.models import ApiToken


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def rotate_token(user) -> str:
    """Revoke the user's active tokens and issue a new one; returns the key (shown once)."""
    key = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        for token in ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True):
            token.revoked_at = now
            save_changed(token, user, _("API token revoked: a new one was issued"))
        save_created(ApiToken(user=user, key_sha256=_digest(key)), user, _("API token issued"))
    return key


def authenticate(header: str):
    """The active statistician behind an `Authorization: Token <key>` header, or None."""
    key = (header or "").removeprefix("Token ").strip()
    if not key:
        return None
    token = ApiToken.objects.filter(key_sha256=_digest(key), revoked_at__isnull=True).select_related("user").first()
    if token is None or not token.user.is_active or not has_any_role(token.user, {roles.STATISTICIAN}):
        return None
    # last use is a convenience for the token page, not an audited fact (excluded from the history)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user
