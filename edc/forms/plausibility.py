"""Form-level half of the plausibility table: when a declared field's own parsing refuses a number
(too many digits for the column, below a PositiveIntegerField's 0), the message the user sees is the
table's, which names the likely unit ("6500 ×10⁹/L ... looks like a value in /µL"), not "Ensure that
there are no more than 3 digits before the decimal point". The rules themselves run in the services
(edc.services.plausibility via crf.services.entry and the eligibility and pharmacy services)."""
from decimal import Decimal, InvalidOperation

from edc.services import plausibility


class PlausibilityFormMixin:
    plausibility_key = ""  # the form key of edc.services.plausibility.FIELDS

    def _post_clean(self):
        super()._post_clean()
        rules = plausibility.FIELDS.get(self.plausibility_key, {})
        for name, rule in rules.items():
            if name not in self.fields or name not in self.errors:
                continue
            try:
                number = Decimal(str(self.data.get(self.add_prefix(name), "")).strip().replace(",", "."))
            except InvalidOperation:
                continue  # not a number at all: the field's own message says so
            if not number.is_finite():
                continue
            unit = self.data.get(self.add_prefix(rule.unit_field)) if rule.unit_field else None
            error, _warning = plausibility.check_value(self.plausibility_key, name, number, unit or None,
                                                       self.fields[name].label)
            if error:
                self.errors[name] = self.error_class([error])
