"""Who looked at whom (docs/BLINDING.md "Read-access log"; PIPL arts. 51-55, 21 CFR Part 11.10(d)/(e)).

One row per participant (or per export) a request read: who, when, what (the page's URL name and path),
from which address. Append-only in PostgreSQL itself (the same trigger as the history tables,
edc.append_only): nobody can change or remove a row, whatever client they use.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReadAccess(models.Model):
    at = models.DateTimeField(_("when"), db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("who"))
    address = models.GenericIPAddressField(_("from address"), null=True, blank=True)
    what = models.CharField(_("what"), max_length=100)  # the URL name, e.g. "casebook_pdf"
    path = models.CharField(_("path"), max_length=500)
    # Null for a read not tied to one participant (an export, an API dataset): `detail` says which.
    participant = models.ForeignKey("edc.Participant", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("participant"))
    detail = models.CharField(_("detail"), max_length=200, blank=True)

    append_only = True  # edc.append_only guards the table

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["participant", "at"]), models.Index(fields=["user", "at"])]
        verbose_name = _("read access")
        verbose_name_plural = _("read accesses")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.what}"
