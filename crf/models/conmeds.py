"""Concomitant medications (protocol 2.5.5: all conventional immunosuppressants and targeted
therapies are prohibited during the study)."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import CrfLogModel

CONVENTIONAL = [
    ("mycophenolate", _("Mycophenolate")),
    ("cyclophosphamide", _("Cyclophosphamide")),
    ("azathioprine", _("Azathioprine")),
    ("calcineurin_inhibitor", _("Tacrolimus / cyclosporine / voclosporin")),
    ("methotrexate", _("Methotrexate")),
    ("leflunomide", _("Leflunomide")),
]
TARGETED = [
    ("rituximab", _("Rituximab")),
    ("belimumab", _("Belimumab")),
    ("anifrolumab", _("Anifrolumab")),
    ("obinutuzumab", _("Obinutuzumab")),
    ("other_biologic", _("Other biologic")),
]
CATEGORY_CHOICES = [
    (_("Conventional immunosuppressant"), CONVENTIONAL),
    (_("Targeted / biologic therapy"), TARGETED),
    ("hydroxychloroquine", _("Hydroxychloroquine")),
    ("antihypertensive", _("Antihypertensive / RAS blockade")),
    ("other", _("Other")),
]
# protocol 2.5.5: every conventional immunosuppressant and targeted therapy is prohibited
PROHIBITED_CATEGORIES = frozenset(code for code, _label in CONVENTIONAL + TARGETED)
PROHIBITED_WARNING = "prohibited_conmed"


class ConcomitantMedication(CrfLogModel):
    crf_key = "conmeds"

    drug_name = models.CharField(_("Drug name"), max_length=200)
    category = models.CharField(_("Category"), max_length=30, choices=CATEGORY_CHOICES)
    dose_text = models.CharField(_("Dose and frequency"), max_length=200, blank=True,
                                 help_text=_("As prescribed, e.g. 500 mg twice daily."))
    start_date = models.DateField(_("Start date"), null=True, blank=True)
    started_before_screening = models.BooleanField(
        _("Started before screening"), default=False,
        help_text=_("Tick instead of a start date when the medication was started before screening."))
    stop_date = models.DateField(_("Stop date"), null=True, blank=True,
                                 help_text=_("Leave empty while the medication continues."))
    indication = models.CharField(_("Indication"), max_length=200)

    class Meta:
        verbose_name = _("concomitant medication")
        verbose_name_plural = _("concomitant medications")

    def __str__(self) -> str:
        start = self.start_date.isoformat() if self.start_date else _("before screening")
        stop = self.stop_date.isoformat() if self.stop_date else _("ongoing")
        return f"{self.drug_name} ({self.get_category_display()}) {start} – {stop}"

    @property
    def prohibited_warning_saved(self) -> bool:
        """Saved past the protocol 2.5.5 warning: the page offers a prefilled deviation."""
        return any(w.get("code") == PROHIBITED_WARNING for w in self.soft_warnings or [])
