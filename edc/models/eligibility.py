"""Eligibility assessment: 3 inclusion and 14 exclusion criteria (protocol 2.2).

Each criterion is answered with its supporting data. Age, eGFR, biopsy class and the months on
first-line therapy are computed by `edc.clinical.eligibility`; the verdict and the failing criteria
are stored with the answers so the record shows what was decided and why.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from edc.clinical.units import CREATININE_UNITS

from .base import ClinicalModel
from .participants import Participant


class BiopsyClass(models.TextChoices):
    # ISN/RPS 2003, revised 2018 (docs/DOMAIN.md §5.1)
    I = "I", "I"  # noqa: E741
    II = "II", "II"
    III = "III", "III"
    IV = "IV", "IV"
    V = "V", "V"
    VI = "VI", "VI"
    III_V = "III+V", "III+V"
    IV_V = "IV+V", "IV+V"


class FirstLineResponse(models.TextChoices):
    NONE = "none", _("No response")
    PARTIAL = "partial", _("Partial response")
    COMPLETE = "complete", _("Complete response")



class EligibilityAssessment(ClinicalModel):
    participant = models.OneToOneField(Participant, on_delete=models.PROTECT,
                                       related_name="eligibility")
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("assessed by"))

    # Inclusion 2: SLE by the revised ACR criteria (>= 4 of 11)
    acr_criteria_met = models.PositiveSmallIntegerField(
        _("revised ACR criteria met (of 11)"),
        help_text=_("SLE is classified when at least 4 of the 11 criteria are met."))
    # Inclusion 3: biopsy-proven active LN, class III/IV/V/III+V/IV+V, refractory to first line
    biopsy_date = models.DateField(_("kidney biopsy date"))
    biopsy_class = models.CharField(_("ISN/RPS class"), max_length=6, choices=BiopsyClass.choices)
    biopsy_active = models.BooleanField(_("biopsy shows active lupus nephritis"))
    first_line_start_date = models.DateField(_("start of first-line standard therapy"))
    first_line_response = models.CharField(
        _("best renal response on first-line therapy"), max_length=10,
        choices=FirstLineResponse.choices)
    inclusion_note = models.TextField(_("supporting data for inclusion criteria"), blank=True)

    # Exclusion 5: severe hepatic dysfunction, or eGFR <= 45 (eGFR computed, never typed)
    severe_hepatic_dysfunction = models.BooleanField(_("severe hepatic dysfunction"))
    creatinine_value = models.DecimalField(_("serum creatinine"), max_digits=7, decimal_places=2)
    creatinine_unit = models.CharField(_("unit"), max_length=8,
                                       choices=[(u, u) for u in CREATININE_UNITS])
    creatinine_date = models.DateField(_("creatinine sample date"))
    exc2 = models.BooleanField(_(
        "Pregnant, breastfeeding, or not agreeing to effective contraception during the trial and for 12 months after"))
    exc2_note = models.CharField(_("supporting data"), max_length=500, blank=True)
    exc3 = models.BooleanField(_(
        "Biopsy shows chronic nephritis (extensive glomerulosclerosis, fibrous crescents, interstitial fibrosis and tubular atrophy)"))
    exc3_note = models.CharField(_("supporting data"), max_length=500, blank=True)
    exc4 = models.BooleanField(_(
        "Another autoimmune disease that can mimic SLE (dermatomyositis/polymyositis, MCTD, scleroderma, rheumatoid arthritis)"))
    exc4_note = models.CharField(_("supporting data"), max_length=500, blank=True)
    exc6 = models.BooleanField(_(
        "Severe uncontrolled cardiovascular, neurological, pulmonary, endocrine or gastrointestinal disease"))
    exc6_note = models.CharField(_("supporting data"), max_length=500, blank=True)
    exc7 = models.BooleanField(_(
        "Major organ surgery within 12 weeks before screening, or elective surgery needed during the study"))
    exc7_note = models.CharField(_("supporting data"), max_length=500, blank=True)
    exc8 = models.BooleanField(_("History of malignancy"))
    exc8_note = models.CharField(_("supporting data"), max_length=500, blank=True)
    exc9 = models.BooleanField(_("Bone marrow, lung, liver, pancreas or small-bowel transplant"))
    exc9_note = models.CharField(_("supporting data"), max_length=500, blank=True)
    exc10 = models.BooleanField(_(
        "Severe active or recurrent infection within 4 weeks before enrolment"))
    exc10_note = models.CharField(_("supporting data"), max_length=500, blank=True)
    exc11 = models.BooleanField(_(
        "Live vaccine within 12 weeks before enrolment, or expected during the study"))
    exc11_note = models.CharField(_("supporting data"), max_length=500, blank=True)
    exc12 = models.BooleanField(_("Severe psychiatric illness"))
    exc12_note = models.CharField(_("supporting data"), max_length=500, blank=True)
    exc13 = models.BooleanField(_(
        "Severe allergy history, reaction to biologics, or other severe allergy"))
    exc13_note = models.CharField(_("supporting data"), max_length=500, blank=True)
    exc14 = models.BooleanField(_("Another clinical trial within 30 days before enrolment"))
    exc14_note = models.CharField(_("supporting data"), max_length=500, blank=True)

    # Computed by edc.clinical.eligibility when saved (kept with the answers for the audit trail)
    age_at_screening = models.PositiveSmallIntegerField(_("age at screening"), editable=False)
    egfr = models.DecimalField(_("eGFR (CKD-EPI 2021)"), max_digits=5, decimal_places=1,
                               editable=False)
    months_on_first_line = models.PositiveSmallIntegerField(
        _("months from first-line start to screening"), editable=False)
    eligible = models.BooleanField(_("eligible"), editable=False)
    failed_criteria = models.JSONField(_("failed criteria"), default=list, editable=False)
    soft_warnings = models.JSONField(_("warnings acknowledged when saved"), default=list, editable=False)

    EXCLUSION_FIELDS = ("exc2", "exc3", "exc4", "exc6", "exc7", "exc8", "exc9", "exc10", "exc11",
                        "exc12", "exc13", "exc14")

    class Meta:
        verbose_name = _("eligibility assessment")
        verbose_name_plural = _("eligibility assessments")

    def __str__(self) -> str:
        return f"{self.participant} eligibility"
