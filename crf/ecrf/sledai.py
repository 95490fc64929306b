"""SLEDAI-2K eCRF (docs/DOMAIN.md §3): the investigator ticks the descriptors, the total is
derived. A new form starts with the ticks the same visit's lab panel suggests
(edc.clinical.sledai.suggest_from_labs, with the configurable reference limits), each marked in its
help text; saving warns (soft) when a lab-derived tick and that visit's labs disagree, either way."""
from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from crf.ecrf.labs import labs_at
from crf.models.labs import LabPanel
from crf.models.reference import Analyte
from crf.models.sledai import SledaiAssessment
from crf.registry import CrfType, SoftWarning, register
from crf.services.reference_ranges import reference_ranges
from edc.clinical.sledai import DESCRIPTORS, MAX_TOTAL, renal_subscore, sledai_2k_total, suggest_from_labs
from edc.forms.plausibility import PlausibilityFormMixin

CODES = tuple(d.code for d in DESCRIPTORS)
PROTOCOL_WINDOW_DAYS = 30  # docs/DECISIONS.md: SLEDAI-2K window (Touma 2010)


class SledaiForm(PlausibilityFormMixin, forms.ModelForm):
    plausibility_key = "sledai"

    class Meta:
        model = SledaiAssessment
        fields = ["window_days", *CODES]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for d in DESCRIPTORS:
            self.fields[d.code].label = f"{self.fields[d.code].label} ({d.weight})"
        instance = self.instance
        if instance._state.adding and getattr(instance, "visit_id", None):
            # A new form starts from the labs' suggestion; the investigator confirms or unticks.
            for code, evidence in lab_evidence(labs_at(instance.visit)).items():
                self.initial[code] = True
                self.fields[code].help_text = _("Suggested from this visit's labs: %(e)s. %(d)s") % {
                    "e": evidence, "d": self.fields[code].help_text}


def _limit(ranges: dict, analyte: str, attr: str):
    ref = ranges.get(analyte)
    return None if ref is None else getattr(ref, attr)


def _judgeable(lab: LabPanel, ranges: dict) -> dict[str, str]:
    """Descriptor -> the lab evidence shown to the user, for each descriptor the panel can judge (the
    analyte was measured and, where the rule needs one, its reference limit is set)."""
    c3_low, c4_low = _limit(ranges, Analyte.C3, "lower"), _limit(ranges, Analyte.C4, "lower")
    dsdna_high = _limit(ranges, Analyte.ANTI_DSDNA, "upper")
    judged: dict[str, str] = {}
    if lab.urine_protein_24h_g is not None:
        judged["proteinuria"] = _("24-h urine protein %(v)s g") % {"v": lab.urine_protein_24h_g}
    elif lab.upcr_g_g is not None:
        judged["proteinuria"] = _("UPCR %(v)s g/g (no 24-h collection)") % {"v": lab.upcr_g_g}
    if lab.urine_rbc_hpf is not None:
        judged["haematuria"] = _("urine RBC %(v)s/HPF") % {"v": lab.urine_rbc_hpf}
    if lab.urine_wbc_hpf is not None:
        judged["pyuria"] = _("urine WBC %(v)s/HPF") % {"v": lab.urine_wbc_hpf}
    if lab.urinary_casts:
        judged["urinary_casts"] = _("urinary casts: %(v)s") % {"v": lab.get_urinary_casts_display()}
    complement = [_("%(a)s %(v)s g/L (lower limit %(l)s)") % {"a": name, "v": value, "l": low}
                  for name, value, low in (("C3", lab.c3_g_l, c3_low), ("C4", lab.c4_g_l, c4_low))
                  if value is not None and low is not None]
    if complement:
        judged["low_complement"] = ", ".join(complement)
    if lab.anti_dsdna_iu_ml is not None and dsdna_high is not None:
        judged["dna_binding"] = _("anti-dsDNA %(v)s IU/mL (upper limit %(u)s)") % {
            "v": lab.anti_dsdna_iu_ml, "u": dsdna_high}
    if lab.platelets_10e9_l is not None:
        judged["thrombocytopenia"] = _("platelets %(v)s ×10⁹/L") % {"v": lab.platelets_10e9_l}
    if lab.wbc_10e9_l is not None:
        judged["leukopenia"] = _("white blood cells %(v)s ×10⁹/L") % {"v": lab.wbc_10e9_l}
    return judged


def _suggested(lab: LabPanel, ranges: dict) -> frozenset[str]:
    c3_low, c4_low = _limit(ranges, Analyte.C3, "lower"), _limit(ranges, Analyte.C4, "lower")
    dsdna_high = _limit(ranges, Analyte.ANTI_DSDNA, "upper")
    # An analyte whose limit the data manager removed cannot be judged: pass it as not measured.
    return suggest_from_labs(
        urine_protein_24h_g=lab.urine_protein_24h_g, upcr_g_g=lab.upcr_g_g,
        urine_rbc_per_hpf=lab.urine_rbc_hpf, urine_wbc_per_hpf=lab.urine_wbc_hpf,
        urinary_casts=lab.casts_for_sledai,
        c3=lab.c3_g_l if c3_low is not None else None, c3_lower_limit=c3_low,
        c4=lab.c4_g_l if c4_low is not None else None, c4_lower_limit=c4_low,
        anti_dsdna=lab.anti_dsdna_iu_ml if dsdna_high is not None else None,
        anti_dsdna_upper_limit=dsdna_high,
        platelets_10e9_l=lab.platelets_10e9_l, wbc_10e9_l=lab.wbc_10e9_l)


def lab_evidence(lab: LabPanel | None, ranges: dict | None = None) -> dict[str, str]:
    """Descriptors the panel suggests -> the evidence, in form order (`ranges`: the reference
    ranges when the caller already has them)."""
    if lab is None:
        return {}
    ranges = reference_ranges() if ranges is None else ranges
    judged, suggested = _judgeable(lab, ranges), _suggested(lab, ranges)
    return {code: judged[code] for code in CODES if code in suggested}


def ticked(s: SledaiAssessment) -> list[str]:
    return [code for code in CODES if getattr(s, code)]


def _label(code: str) -> str:
    return str(SledaiAssessment._meta.get_field(code).verbose_name)


def derive(s: SledaiAssessment) -> None:
    s.total = sledai_2k_total(ticked(s))
    s.lab_suggestions = list(lab_evidence(labs_at(s.visit)))


def soft_checks(s: SledaiAssessment) -> list[SoftWarning]:
    warnings = []
    if s.window_days != PROTOCOL_WINDOW_DAYS:
        warnings.append(SoftWarning("window_not_protocol", _(
            "The protocol scores the %(n)d days before the visit; this form uses %(d)d.")
            % {"n": PROTOCOL_WINDOW_DAYS, "d": s.window_days}, "window_days"))
    lab = labs_at(s.visit)
    if lab is None:
        warnings.append(SoftWarning("no_labs", _(
            "This visit has no laboratory panel yet: the laboratory descriptors cannot be checked.")))
        return warnings
    ranges = reference_ranges()
    judged, suggested = _judgeable(lab, ranges), _suggested(lab, ranges)
    for code, evidence in judged.items():
        if getattr(s, code) and code not in suggested:
            warnings.append(SoftWarning(f"labs_contradict_{code}", _(
                "%(d)s is ticked but this visit's labs do not show it (%(e)s).")
                % {"d": _label(code), "e": evidence}, code))
        elif code in suggested and not getattr(s, code):
            warnings.append(SoftWarning(f"labs_suggest_{code}", _(
                "This visit's labs suggest %(d)s (%(e)s) but it is not ticked; leave it unticked only "
                "if another cause explains it.") % {"d": _label(code), "e": evidence}, code))
    return warnings


def explain(s: SledaiAssessment) -> list[str]:
    weights = {d.code: d.weight for d in DESCRIPTORS}
    present = ticked(s)
    terms = " + ".join(f"{_label(c)} {weights[c]}" for c in present) or _("no descriptor")
    lines = [
        _("SLEDAI-2K total %(t)d of %(max)d = %(terms)s.") % {"t": s.total, "max": MAX_TOTAL,
                                                               "terms": terms},
        _("Renal sub-score (casts, haematuria, proteinuria, pyuria): %(r)d of 16.") % {
            "r": renal_subscore(present)},
        _("Scoring window: the %(d)d days before the visit.") % {"d": s.window_days},
    ]
    if s.lab_suggestions:
        lines.append(_("Suggested by this visit's labs when saved: %(list)s.") % {
            "list": ", ".join(_label(c) for c in s.lab_suggestions)})
    else:
        lines.append(_("The visit's labs suggested no descriptor when saved."))
    return lines


register(CrfType(key="sledai", label=_lazy("SLEDAI-2K"), model=SledaiAssessment, form=SledaiForm,
                 derive=derive, soft_checks=soft_checks, explain=explain,
                 order=30))
