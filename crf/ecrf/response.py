"""Renal response eCRF (primary endpoint, protocol 1.2/2.6): the visit's UPCR (as entered, full precision)
and eGFR against month 0 by edc.clinical.renal_response, with the tolerance of docs/DATA_QUALITY.md
"Trial settings"; the investigator confirms.
At month 6 "no response" proposes discontinuation (protocol 2.5.3: no partial response at month 6);
the page links to the discontinuation log (template crf/response_form.html)."""
from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from crf.ecrf.labs import labs_at, month0_labs
from crf.models.response import RenalResponse, ResponseCategory
from crf.registry import CrfType, SoftWarning, register
from edc.clinical.renal_response import renal_response

DECISION_VISIT = "m6"  # protocol 2.5.3: stop the intervention if no partial response at month 6


class RenalResponseForm(forms.ModelForm):
    class Meta:
        model = RenalResponse
        fields = ["investigator_confirmed", "investigator_comment"]
        widgets = {"investigator_comment": forms.Textarea(attrs={"rows": 3})}


def _q(value: float, places: str) -> Decimal:
    return Decimal(str(value)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def derive(r: RenalResponse) -> None:
    baseline, now = month0_labs(r.participant), labs_at(r.visit)
    missing = []
    if baseline is None:
        missing.append(_("the month-0 laboratory panel (the baseline)"))
    if now is None:
        missing.append(_("this visit's laboratory panel"))
    if missing:
        raise ValidationError(_("The renal response cannot be computed. Missing: %(list)s.")
                              % {"list": "; ".join(missing)})
    derive_from(r, baseline, now)


def _exact_upcr(lab) -> float:
    exact = lab.upcr_g_g_exact
    return float(exact if exact is not None else lab.upcr_g_g)


def derive_from(r: RenalResponse, baseline, now) -> None:
    """The computed fields from the month-0 panel and this visit's panel (no database access)."""
    tolerance = settings.RENAL_RESPONSE_TOLERANCE  # a trial setting (docs/DATA_QUALITY.md)
    try:
        # UPCR at full precision as entered (56.55 mg/mmol = 0.49991 g/g is below 0.5, while the stored
        # value rounded to 0.001 g/g reads 0.500); eGFR as stored (0.1, as reported).
        result = renal_response(_exact_upcr(baseline), float(baseline.egfr), _exact_upcr(now),
                                float(now.egfr), tolerance=tolerance)
    except ValueError as e:
        raise ValidationError(_("The renal response cannot be computed: %(e)s") % {"e": e})
    if abs(result.upcr_reduction_pct) >= 1_000_000 or result.egfr_ratio >= 1000:  # beyond the stored columns
        raise ValidationError(_(
            "UPCR %(b)s → %(n)s g/g, eGFR %(be)s → %(ne)s: a change this large cannot be a renal response to "
            "record. Check both laboratory panels (unit, decimal point).") % {
                "b": baseline.upcr_g_g, "n": now.upcr_g_g, "be": baseline.egfr, "ne": now.egfr})
    r.category = str(result.category)
    r.upcr_g_g, r.egfr = now.upcr_g_g, now.egfr
    r.baseline_upcr_g_g, r.baseline_egfr = baseline.upcr_g_g, baseline.egfr
    r.upcr_reduction_pct = _q(result.upcr_reduction_pct, "0.1")
    r.egfr_ratio = _q(result.egfr_ratio, "0.001")
    r.tolerance = Decimal(str(tolerance))
    r.rules = list(result.rules)


def hard_checks(r: RenalResponse) -> dict[str, str]:
    if not r.investigator_confirmed and not (r.investigator_comment or "").strip():
        return {"investigator_comment": _(
            "Confirm the computed response, or say here why you do not.")}
    return {}


def discontinuation_proposed(r: RenalResponse) -> bool:
    return r.visit.code == DECISION_VISIT and r.category == ResponseCategory.NONE


def soft_checks(r: RenalResponse) -> list[SoftWarning]:
    if discontinuation_proposed(r):
        return [SoftWarning("discontinuation_proposed", _(
            "No partial or complete renal response at month 6: discontinuation of the allocated "
            "intervention is proposed (protocol 2.5.3). Record the decision in the discontinuation log."))]
    return []


def explain(r: RenalResponse) -> list[str]:
    lines = [
        _("Month 0: UPCR %(bu)s g/g, eGFR %(be)s. This visit: UPCR %(u)s g/g, eGFR %(e)s.") % {
            "bu": r.baseline_upcr_g_g, "be": r.baseline_egfr, "u": r.upcr_g_g, "e": r.egfr},
        _("UPCR reduction %(pct)s %%; eGFR ratio %(ratio)s (tolerance %(tol)s).") % {
            "pct": r.upcr_reduction_pct, "ratio": r.egfr_ratio, "tol": r.tolerance},
        *r.rules,
        _("Result: %(c)s.") % {"c": r.get_category_display()},
        _("Investigator: %(s)s") % {"s": _("confirmed") if r.investigator_confirmed else
                                    _("not confirmed — %(c)s") % {"c": r.investigator_comment}},
    ]
    return lines


register(CrfType(key="response", label=_lazy("Renal response"), model=RenalResponse,
                 form=RenalResponseForm, derive=derive, hard_checks=hard_checks, soft_checks=soft_checks,
                 explain=explain, order=50, template="crf/response_form.html"))
