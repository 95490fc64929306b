"""The grant log: every change to who may do what (docs/ACCESS_CONTROL.md, ARCHITECTURE rule 7).

One row per grant or withdrawal of a role, a site membership, the code-break permission, staff or
superuser status, an account's activation, a password or second-factor reset: who did it (a user,
or the system administrator on the server), to whom, what, when and why. Written only by
`edc.services.grants`; append-only in PostgreSQL itself (edc.append_only trigger, migration).
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessChange(models.Model):
    class Kind(models.TextChoices):
        ACCOUNT = "account", _("account")
        ROLE = "role", _("role")
        SITE = "site", _("site membership")
        CODE_BREAK = "code_break", _("code-break permission")
        TRIAL_WIDE_EXPORT = "trial_wide_export", _("trial-wide export")
        STAFF = "staff", _("admin access (staff)")
        SUPERUSER = "superuser", _("superuser")
        PASSWORD = "password", _("password")
        AUTHENTICATOR = "authenticator", _("second factor (authenticator)")

    class Action(models.TextChoices):
        GRANT = "grant", _("granted")
        REVOKE = "revoke", _("withdrawn")
        RESET = "reset", _("reset")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="access_changes", verbose_name=_("user"))
    kind = models.CharField(_("what"), max_length=20, choices=Kind.choices)
    value = models.CharField(_("value"), max_length=100, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    # Empty when the system administrator did it with `manage.py access` on the server.
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="+", verbose_name=_("changed by"))
    changed_by_label = models.CharField(_("changed by"), max_length=200)
    reason = models.TextField(_("reason"))
    changed_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("access change")
        verbose_name_plural = _("access changes")
        # The code-break permission (protocol 2.8.2: "permission generated centrally") is a direct
        # user permission, never a role's: only edc.services.grants gives or withdraws it.
        permissions = [("break_code", "May break the randomization code of one participant")]

    def __str__(self) -> str:
        return f"{self.changed_at:%Y-%m-%d %H:%M} {self.user} {self.action} {self.kind} {self.value}"

    @property
    def value_display(self) -> str:
        """A role by its translated label; a site by its code; else the stored value."""
        if self.kind == self.Kind.ROLE:
            from edc.roles import LABELS

            return str(LABELS.get(self.value, self.value))
        return self.value
