"""Informed consent (protocol 2.3, 2.4, 2.12): the main trial consent and the separate consent for
research use of blood and urine specimens."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import ClinicalModel
from .participants import Participant


class ConsentKind(models.TextChoices):
    MAIN = "main", _("Main trial consent")
    BIOSPECIMEN = "biospecimen", _("Biospecimen consent")


class Consent(ClinicalModel):
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="consents")
    kind = models.CharField(_("consent"), max_length=20, choices=ConsentKind.choices)
    form_version = models.CharField(_("consent form version"), max_length=20)
    consented_at = models.DateTimeField(_("date and time of consent"))
    obtained_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("consent taken by"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["participant", "kind"],
                                               name="one_consent_of_each_kind")]
        verbose_name = _("informed consent")
        verbose_name_plural = _("informed consents")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.form_version}"
