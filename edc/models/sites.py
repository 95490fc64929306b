"""Sites and the people who work at them."""
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Site(models.Model):
    """A recruiting hospital. The trial starts at one; the model is multi-site (protocol 1.3)."""

    code = models.SlugField(_("site code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    participant_prefix = models.CharField(
        _("participant ID prefix"), max_length=8, unique=True,
        help_text=_("Letters that open every participant ID at this site, e.g. BJ."),
    )
    timezone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")

    history = HistoricalRecords()  # who changed a site and why (docs/ACCESS_CONTROL.md)

    class Meta:
        ordering = ["code"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who signs in. Belongs to one or more sites; roles are Django groups (edc.roles)."""

    sites = models.ManyToManyField(Site, related_name="staff", blank=True, verbose_name=_("sites"))
    # The language of this person's e-mails and in-app alerts (docs/SAFETY_ALERTS.md, "Language");
    # empty = the trial's default (settings.LANGUAGE_CODE). Set when they switch language.
    language = models.CharField(_("preferred language"), max_length=10, choices=settings.LANGUAGES,
                                blank=True, default="")

    # Account changes (active, staff, superuser, names) with who and why; roles and site memberships
    # are in the grant log (edc.models.access). A sign-in's last_login write adds no row (edc.apps).
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def printed_name(self) -> str:
        return self.get_full_name() or self.username
