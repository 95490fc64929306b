"""One value, checked as the form would check it, for a caller that has no form: a laboratory import
previewing a file, an API. The rules are the plausibility table's (edc.services.plausibility): hard
(refused), soft (warned) and the delta check against the participant's own previous value.

Saving still goes through crf.services.entry.save_crf, which runs the same checks and every other
rule of the form; this function only lets an importer tell the user early, value by value."""
from dataclasses import dataclass, field
from datetime import date

from crf import registry
from edc.edit_checks import SoftWarning
from edc.services import plausibility


@dataclass(frozen=True)
class ValueCheck:
    error: str | None = None  # a hard finding: the value would be refused
    warnings: list[SoftWarning] = field(default_factory=list)  # soft findings: warned and recorded

    @property
    def ok(self) -> bool:
        return self.error is None and not self.warnings


def _model(form_key: str):
    if form_key == "eligibility":
        from edc.models import EligibilityAssessment
        return EligibilityAssessment
    crf_type = registry.get(form_key)
    if crf_type is None:
        raise KeyError(f"No form {form_key!r}")
    return crf_type.model


def validate_value(form_key: str, field_name: str, value, *, unit: str | None = None, participant=None,
                   on: date | None = None) -> ValueCheck:
    """Check `value` for field `field_name` of form `form_key` (a crf.registry key or "eligibility"),
    in `unit` when the field has a unit selector (e.g. "umol/L" or "mg/dL" for creatinine_value, "g/g",
    "mg/mmol" or "mg/g" for upcr_value). With `participant` and `on` (the sample date), the change
    since that participant's previous value is checked too. KeyError for an undeclared form or field."""
    import crf.forms_registry  # noqa: F401  every eCRF registered

    rule = plausibility.FIELDS[form_key][field_name]
    model = _model(form_key)
    label = model._meta.get_field(field_name).verbose_name
    error, warning = plausibility.check_value(form_key, field_name, value, unit, label)
    if error:
        return ValueCheck(error=error)
    warnings = [warning] if warning else []
    date_field = plausibility.DATE_FIELDS.get(form_key)
    if rule.delta and participant is not None and on is not None and date_field:
        probe = model(participant=participant, **{field_name: value, date_field: on})
        if rule.unit_field:
            setattr(probe, rule.unit_field, unit)
        delta = plausibility.delta_warning(form_key, field_name, probe, label)
        if delta:
            warnings.append(delta)
    return ValueCheck(warnings=warnings)
