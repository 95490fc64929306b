"""BILAG-2004 renal eCRF (docs/DOMAIN.md §4): the investigator's yes/no items and the dipstick;
BP from the visit's vital signs, protein, creatinine and GFR from its lab panel, and the previous
values from the participant's previous visit with labs (the glossary compares the last 4 weeks with
the previous 4: at monthly visits the previous visit). Grade by edc.clinical.bilag, stored."""
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from crf.ecrf.labs import labs_at, labs_before
from crf.ecrf.vitals import vitals_at
from crf.models.bilag import BilagRenal
from crf.models.labs import LabPanel
from crf.registry import CrfType, SoftWarning, register
from edc.clinical.bilag import BilagRenalInput, bilag_numeric_score, bilag_renal_grade
from edc.clinical.units import upcr_g_g_to_mg_mmol, upcr_to_g_g
from edc.forms.plausibility import PlausibilityFormMixin


class BilagRenalForm(PlausibilityFormMixin, forms.ModelForm):
    plausibility_key = "bilag"

    class Meta:
        model = BilagRenal
        fields = ["accelerated_hypertension", "nephrotic_syndrome", "active_urinary_sediment",
                  "histological_active_nephritis", "dipstick_protein"]


def _upcr_mg_mmol(lab: LabPanel) -> float:
    """The BILAG items are in mg/mmol (§4). Convert from the value as entered, not the rounded g/g,
    so an entry in mg/mmol keeps its exact value at the 25/50/100 mg/mmol edges."""
    return round(upcr_g_g_to_mg_mmol(upcr_to_g_g(lab.upcr_value, lab.upcr_unit)), 4)


def _num(value) -> float | None:
    return None if value is None else float(value)


def _lab_values(lab: LabPanel | None) -> dict:
    if lab is None:
        return {"upcr_mg_mmol": None, "urine_protein_24h_g": None, "creatinine_umol_l": None, "gfr": None}
    return {"upcr_mg_mmol": _upcr_mg_mmol(lab), "urine_protein_24h_g": _num(lab.urine_protein_24h_g),
            "creatinine_umol_l": _num(lab.creatinine_umol_l), "gfr": _num(lab.egfr)}


def gather_inputs(b: BilagRenal) -> dict:
    """Everything the grade is computed from, previous values included (also stored for explain)."""
    lab = labs_at(b.visit)
    if lab is None:
        raise ValidationError(_("Enter this visit's laboratory panel first: the BILAG-2004 renal grade "
                                "needs its protein, creatinine and eGFR."))
    previous_lab = labs_before(b.participant, b.visit.month)
    previous_visit = previous_lab.visit if previous_lab else None
    vitals = vitals_at(b.visit)
    previous_vitals = vitals_at(previous_visit) if previous_visit else None
    previous_form = BilagRenal.objects.filter(visit=previous_visit).first() if previous_visit else None
    return inputs_from(b, lab, previous_lab, vitals, previous_vitals, previous_form)


def inputs_from(b: BilagRenal, lab: LabPanel, previous_lab: LabPanel | None, vitals, previous_vitals,
                previous_form: BilagRenal | None) -> dict:
    """The grade's inputs from forms already in hand (no database access)."""
    previous_visit = previous_lab.visit if previous_lab else None
    now, before = _lab_values(lab), _lab_values(previous_lab)
    return {
        **now, **{f"{name}_previous": value for name, value in before.items()},
        "systolic_bp": vitals.systolic_bp if vitals else None,
        "diastolic_bp": vitals.diastolic_bp if vitals else None,
        "systolic_bp_previous": previous_vitals.systolic_bp if previous_vitals else None,
        "diastolic_bp_previous": previous_vitals.diastolic_bp if previous_vitals else None,
        "dipstick_protein": b.dipstick_protein,
        "dipstick_protein_previous": previous_form.dipstick_protein if previous_form else None,
        "previous_visit": previous_visit.code if previous_visit else None,
    }


def derive(b: BilagRenal) -> None:
    grade_from(b, gather_inputs(b))


def grade_from(b: BilagRenal, values: dict) -> None:
    """Grade, deciding features and inputs from `values` (gather_inputs / inputs_from)."""
    calculator_input = {k: v for k, v in values.items() if k != "previous_visit"}
    try:
        result = bilag_renal_grade(BilagRenalInput(
            **calculator_input, accelerated_hypertension=b.accelerated_hypertension,
            nephrotic_syndrome=b.nephrotic_syndrome, active_urinary_sediment=b.active_urinary_sediment,
            histological_active_nephritis=b.histological_active_nephritis,
            # Every participant has biopsy-proven LN (protocol 2.2 inclusion 3): never grade E.
            previous_renal_involvement=True))
    except (TypeError, ValueError) as e:
        raise ValidationError(_("The BILAG-2004 renal grade cannot be computed: %(e)s") % {"e": e})
    b.grade = result.grade
    b.features = [{"code": f.code, "reason": f.reason} for f in result.features]
    b.inputs = values


def soft_checks(b: BilagRenal) -> list[SoftWarning]:
    if b.inputs.get("systolic_bp") is None:
        return [SoftWarning("no_vitals", _("This visit has no vital signs yet: the blood-pressure item "
                                           "was not assessed."))]
    return []


def _pair(inputs: dict, name: str, unit: str) -> str:
    now, before = inputs.get(name), inputs.get(f"{name}_previous")
    shown = "—" if now is None else f"{now:g} {unit}"
    return shown + ("" if before is None else " " + _("(previous %(v)s)") % {"v": f"{before:g}"})


def explain(b: BilagRenal) -> list[str]:
    i = b.inputs
    lines = [_("Grade %(g)s (numeric score %(s)d).") % {"g": b.grade, "s": bilag_numeric_score(b.grade)}]
    lines += [_("Deciding feature: %(r)s") % {"r": f["reason"]} for f in b.features]
    previous = i.get("previous_visit")
    lines.append(_("Compared with: %(v)s.") % {"v": previous or _("no earlier visit with labs")})
    bp = "—" if i.get("systolic_bp") is None else f"{i['systolic_bp']}/{i['diastolic_bp']} mmHg"
    if i.get("systolic_bp_previous") is not None:
        bp += " " + _("(previous %(v)s)") % {"v": f"{i['systolic_bp_previous']}/{i['diastolic_bp_previous']}"}
    lines.append(_("Blood pressure %(bp)s; UPCR %(upcr)s; 24-h protein %(p24)s; creatinine %(cr)s; "
                   "GFR %(gfr)s; dipstick %(dip)s.") % {
        "bp": bp, "upcr": _pair(i, "upcr_mg_mmol", "mg/mmol"), "p24": _pair(i, "urine_protein_24h_g", "g"),
        "cr": _pair(i, "creatinine_umol_l", "µmol/L"), "gfr": _pair(i, "gfr", "mL/min/1.73 m²"),
        "dip": _pair(i, "dipstick_protein", "+")})
    return lines


register(CrfType(key="bilag", label=_lazy("BILAG-2004 renal"), model=BilagRenal, form=BilagRenalForm,
                 derive=derive, soft_checks=soft_checks, explain=explain, order=40))
