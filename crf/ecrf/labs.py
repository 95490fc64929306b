"""Laboratory panel eCRF: UPCR and creatinine in the report's unit, canonical values and eGFR derived
(docs/DECISIONS.md: units; eGFR CKD-EPI 2021, computed, never typed); gross outliers against the
configurable reference ranges and an eGFR fall since month 0 warned (soft).

Also the reads other forms share: the same visit's panel, the previous one, the month-0 baseline."""
from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from crf.models import Visit
from crf.models.labs import LabPanel, UpcrSpecimen
from crf.models.reference import Analyte
from crf.registry import CrfType, SoftWarning, register
from crf.services.recompute import recompute_after_labs
from crf.services.reference_ranges import reference_ranges
from edc.clinical.dates import age_in_years
from edc.clinical.egfr import egfr_ckd_epi_2021, gfr_category
from edc.clinical.units import creatinine_to_mg_dl, creatinine_to_umol_l, upcr_to_g_g
from edc.forms.plausibility import PlausibilityFormMixin
from edc.forms.widgets import DateInput

# Lab fields shown against the laboratory's configurable reference range (crf.models.reference) in the
# explanation; their plausibility (impossible: refused; unusual: warned) is the plausibility table's
# (edc.clinical.plausibility), checked for every form by crf.services.entry.
RANGED: dict[str, str] = {
    "albumin_g_l": Analyte.ALBUMIN, "c3_g_l": Analyte.C3, "c4_g_l": Analyte.C4,
    "anti_dsdna_iu_ml": Analyte.ANTI_DSDNA, "haemoglobin_g_l": Analyte.HAEMOGLOBIN,
    "wbc_10e9_l": Analyte.WBC, "platelets_10e9_l": Analyte.PLATELETS, "alt_u_l": Analyte.ALT,
    "ast_u_l": Analyte.AST,
}
EGFR_DROP_MAX = Decimal("0.30")  # a fall of more than 30 % since month 0 deserves a second look


class LabPanelForm(PlausibilityFormMixin, forms.ModelForm):
    plausibility_key = "labs"

    class Meta:
        model = LabPanel
        fields = ["sample_date", "upcr_value", "upcr_unit", "upcr_specimen", "urine_protein_24h_g",
                  "creatinine_value",
                  "creatinine_unit", "albumin_g_l", "c3_g_l", "c4_g_l", "anti_dsdna_iu_ml",
                  "urine_rbc_hpf", "urine_wbc_hpf", "urinary_casts", "haemoglobin_g_l", "wbc_10e9_l",
                  "platelets_10e9_l", "alt_u_l", "ast_u_l"]
        widgets = {"sample_date": DateInput(), "upcr_specimen": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        specimen = self.fields["upcr_specimen"]
        specimen.required = True  # blank only on panels entered before it was asked
        specimen.choices = UpcrSpecimen.choices


def labs_at(visit: Visit) -> LabPanel | None:
    return LabPanel.objects.filter(visit=visit).first()


def labs_before(participant, month: int) -> LabPanel | None:
    """The participant's latest lab panel from a visit before `month`."""
    return (LabPanel.objects.filter(participant=participant, visit__month__lt=month)
            .select_related("visit").order_by("-visit__month").first())


def month0_labs(participant) -> LabPanel | None:
    """The baseline panel (month 0 = randomization, crf.schedule) every response is judged against."""
    return LabPanel.objects.filter(participant=participant, visit__code="m0").first()


def _quantize(value: float, places: str) -> Decimal:
    return Decimal(str(value)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _age(lab: LabPanel) -> int:
    return age_in_years(lab.participant.date_of_birth, lab.sample_date)


def derive(lab: LabPanel) -> None:
    errors = {}
    if lab.upcr_value is not None and lab.upcr_unit:
        try:
            lab.upcr_g_g = _quantize(upcr_to_g_g(lab.upcr_value, lab.upcr_unit), "0.001")
        except ValueError as e:
            errors["upcr_value"] = _("Check the UPCR: %(e)s") % {"e": e}
    if lab.creatinine_value is not None and lab.creatinine_unit and lab.sample_date:
        try:
            mg_dl = creatinine_to_mg_dl(lab.creatinine_value, lab.creatinine_unit)
            lab.creatinine_umol_l = _quantize(
                creatinine_to_umol_l(lab.creatinine_value, lab.creatinine_unit), "0.1")
            # eGFR at the age on the sample date, the participant's recorded sex (CKD-EPI 2021, §1.1)
            lab.egfr = _quantize(egfr_ckd_epi_2021(mg_dl, _age(lab), lab.participant.sex), "0.1")
        except ValueError as e:
            errors["creatinine_value"] = _("Check the creatinine and its unit: %(e)s") % {"e": e}
    if errors:
        raise ValidationError(errors)


def _baseline_for_comparison(lab: LabPanel) -> LabPanel | None:
    if lab.visit.code == "m0":
        return None
    return month0_labs(lab.participant)


def soft_checks(lab: LabPanel) -> list[SoftWarning]:
    return lab_warnings(lab, _baseline_for_comparison(lab))


def lab_warnings(lab: LabPanel, baseline: LabPanel | None) -> list[SoftWarning]:
    """The form's own soft checks given the month-0 panel (None at month 0): no database access, so a
    bulk loader (synthetic) applies exactly the rules of the form."""
    warnings = []
    if baseline is not None and baseline.egfr and lab.egfr is not None \
            and lab.egfr < (1 - EGFR_DROP_MAX) * baseline.egfr:
        warnings.append(SoftWarning("egfr_drop", _(
            "eGFR %(now)s has fallen by more than 30 %% from %(base)s at month 0.")
            % {"now": lab.egfr, "base": baseline.egfr}, "creatinine_value"))
    return warnings


def _flag(value: Decimal, ref) -> str:
    if ref.lower is not None and value < ref.lower:
        return _("low")
    if ref.upper is not None and value > ref.upper:
        return _("high")
    return ""


def explain(lab: LabPanel) -> list[str]:
    lines = [
        _("UPCR %(v)s %(u)s = %(g)s g/g (mg/mmol ÷ 113.12; mg/g ÷ 1000).") % {
            "v": lab.upcr_value, "u": lab.get_upcr_unit_display(), "g": lab.upcr_g_g},
        _("Creatinine %(v)s %(u)s = %(umol)s µmol/L (µmol/L ÷ 88.4 = mg/dL); eGFR CKD-EPI 2021 "
          "(sex %(sex)s, age %(age)d on %(d)s) = %(egfr)s mL/min/1.73 m², KDIGO %(cat)s.") % {
            "v": lab.creatinine_value, "u": lab.get_creatinine_unit_display(),
            "umol": lab.creatinine_umol_l, "sex": lab.participant.sex, "age": _age(lab),
            "d": lab.sample_date.isoformat(), "egfr": lab.egfr, "cat": gfr_category(float(lab.egfr))},
    ]
    baseline = _baseline_for_comparison(lab)
    if baseline is not None and baseline.egfr:
        lines.append(_("eGFR %(pct)s %% since month 0 (%(base)s); a fall of more than 30 %% is flagged.")
                     % {"pct": f"{(lab.egfr - baseline.egfr) / baseline.egfr * 100:+.1f}",
                        "base": baseline.egfr})
    ranges = reference_ranges()
    outside = [f"{LabPanel._meta.get_field(name).verbose_name} {getattr(lab, name)} "
               f"({_flag(getattr(lab, name), ranges[analyte])}; {ranges[analyte]})"
               for name, analyte in RANGED.items()
               if getattr(lab, name) is not None and analyte in ranges
               and _flag(getattr(lab, name), ranges[analyte])]
    if outside:
        lines.append(_("Outside the reference range: %(list)s.") % {"list": "; ".join(outside)})
    return lines


register(CrfType(key="labs", label=_lazy("Laboratory panel"), model=LabPanel, form=LabPanelForm,
                 derive=derive, soft_checks=soft_checks, explain=explain,
                 after_save=recompute_after_labs, order=20))
