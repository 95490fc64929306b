"""The audit record of a second-factor reset: who reset whose device, when and why."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TwoFactorReset(models.Model):
    """Written by `edc.services.two_factor.reset_devices`, never changed; the user enrols again."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="two_factor_resets", verbose_name=_("user"))
    # Empty when the system administrator reset it on the server (edc.services.grants).
    reset_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 null=True, blank=True, verbose_name=_("reset by"))
    reason = models.TextField(_("reason"))
    devices_removed = models.PositiveSmallIntegerField(_("devices removed"), default=0)
    reset_at = models.DateTimeField(_("reset at"), auto_now_add=True)

    class Meta:
        ordering = ["-reset_at"]
        verbose_name = _("two-factor reset")
        verbose_name_plural = _("two-factor resets")

    def __str__(self) -> str:
        return f"{self.user} · {self.reset_at:%Y-%m-%d %H:%M}"
