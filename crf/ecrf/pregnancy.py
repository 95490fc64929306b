"""Pregnancy test at months 0 and 6, before each infusion. Pregnancy is exclusion criterion 2
(protocol 2.2) and a reason to stop the intervention (protocol 2.5.3). For a male participant the
only answer is "not applicable"."""
from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from crf.models.pregnancy import PregnancyResult, PregnancyTest
from crf.registry import CrfType, SoftWarning, register
from edc.forms.widgets import DateInput
from edc.models import Sex

TESTED = {PregnancyResult.NEGATIVE, PregnancyResult.POSITIVE}


class PregnancyForm(forms.ModelForm):
    class Meta:
        model = PregnancyTest
        fields = ["result", "test_date", "not_done_reason"]
        widgets = {"test_date": DateInput(), "result": forms.RadioSelect}


def hard_checks(t: PregnancyTest) -> dict[str, str]:
    if t.result not in PregnancyResult.values:
        return {"result": _("Choose a result.")}
    errors = {}
    male = t.participant.sex == Sex.MALE
    if male and t.result != PregnancyResult.NOT_APPLICABLE:
        errors["result"] = _("The participant is male: the result is \"not applicable\".")
    elif not male and t.result == PregnancyResult.NOT_APPLICABLE:
        errors["result"] = _("\"Not applicable\" is for male participants only: record the result, or "
                             "\"not done\" with the reason.")
    if t.result in TESTED and t.test_date is None:
        errors["test_date"] = _("Enter the date of the test.")
    elif t.result not in TESTED and t.test_date is not None:
        errors["test_date"] = _("Leave the test date empty when no test was done.")
    if t.result == PregnancyResult.NOT_DONE and not t.not_done_reason.strip():
        errors["not_done_reason"] = _("Say why the test was not done.")
    elif t.result != PregnancyResult.NOT_DONE and t.not_done_reason.strip():
        errors["not_done_reason"] = _("A reason is only for a test that was not done.")
    return errors


def soft_checks(t: PregnancyTest) -> list[SoftWarning]:
    if t.result == PregnancyResult.POSITIVE:
        return [SoftWarning("positive", _(
            "Positive pregnancy test: stopping the intervention is proposed (protocol 2.5.3: record the "
            "discontinuation), and pregnancy is exclusion criterion 2 (protocol 2.2)."), "result")]
    return []


def explain(t: PregnancyTest) -> list[str]:
    if t.result == PregnancyResult.POSITIVE:
        return [_("Positive: record the discontinuation (reason: pregnancy) and report the pregnancy.")]
    if t.result == PregnancyResult.NOT_APPLICABLE:
        return [_("Male participant: no pregnancy test.")]
    return []


register(CrfType(key="pregnancy", label=_lazy("Pregnancy test"), model=PregnancyTest, form=PregnancyForm,
                 hard_checks=hard_checks, soft_checks=soft_checks, explain=explain, order=56))
