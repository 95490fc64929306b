"""Every numeric field of every eCRF, of the eligibility form and of the bag form has a declared
plausibility rule (edc.services.plausibility.FIELDS): a new numeric field cannot slip through without
one. Every unit a form offers is a unit of the declared quantity."""
from django import forms

import crf.forms_registry  # noqa: F401  every eCRF registered
from crf import registry
from edc.clinical.plausibility import QUANTITIES
from edc.forms.plausibility import PlausibilityFormMixin
from edc.forms.screening import EligibilityForm
from edc.services.plausibility import FIELDS
from randomization.forms import BagForm

EXTRA_FORMS = {"eligibility": EligibilityForm, "bag": BagForm}


def _numeric(field: forms.Field) -> bool:
    if isinstance(field, (forms.IntegerField, forms.DecimalField, forms.FloatField)):
        return True
    if isinstance(field, forms.TypedChoiceField):  # a score picked from numbers is a number too
        values = [value for value, _label in field.choices if value not in ("", None)]
        return bool(values) and all(isinstance(v, int) and not isinstance(v, bool) for v in values)
    return False


def _all_forms() -> dict[str, type]:
    found = {t.key: t.form for t in registry.ordered()}
    found.update(EXTRA_FORMS)
    return found


def _form_instance(form_class):
    return form_class()


def test_every_numeric_form_field_has_a_declared_range():
    missing = []
    for key, form_class in _all_forms().items():
        form = _form_instance(form_class)
        for name, field in form.fields.items():
            if _numeric(field) and name not in FIELDS.get(key, {}):
                missing.append(f"{key}.{name}")
    assert missing == [], f"numeric fields without a plausibility rule: {missing}"
    assert len([1 for key in FIELDS for _ in FIELDS[key]]) >= 40


def test_declared_fields_exist_and_every_offered_unit_is_known():
    for key, rules in FIELDS.items():
        form = _form_instance(_all_forms()[key])
        for name, rule in rules.items():
            assert name in form.fields, f"{key}.{name} is declared but not on the form"
            q = QUANTITIES[rule.quantity]
            if rule.unit_field:
                offered = [v for v, _label in form.fields[rule.unit_field].choices if v]
                assert offered and all(q.unit(u) for u in offered)
            else:
                q.unit(rule.unit or q.canonical)


def test_every_form_with_declared_fields_shows_the_tables_message():
    for key in FIELDS:
        form_class = _all_forms()[key]
        assert issubclass(form_class, PlausibilityFormMixin) and form_class.plausibility_key == key, key


def test_the_form_replaces_a_digits_error_with_the_likely_unit():
    from crf.ecrf.labs import LabPanelForm

    form = LabPanelForm(data={"wbc_10e9_l": "6500", "upcr_value": "2", "upcr_unit": "g/g",
                              "creatinine_value": "80", "creatinine_unit": "umol/L"})
    assert not form.is_valid()
    assert "/µL" in form.errors["wbc_10e9_l"][0]
