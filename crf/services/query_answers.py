"""A query answered with a corrected value (docs/WORKFLOW.md "Queries"): the value is saved through
the form's own checks, then the query is answered, in one transaction. Its own module because it
uses both the entry service (which raises automatic queries) and the queries service."""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from crf.models import Query
from crf.services import queries
from crf.services.entry import save_crf


def answer_with_correction(q: Query, crf_type, obj, *, user, text: str, new_value: str = "") -> None:
    """The site's answer, with an optional corrected value for the queried field. The value goes through the
    form's own validation and edit checks and is saved with the answer as the reason for change (audited like
    any other change); answer and correction are one transaction, so a refused answer (closed query, a role
    that may not answer) leaves no correction behind."""
    new_value, old_value = new_value.strip(), ""
    with transaction.atomic():
        if new_value and q.field_name and obj is not None:
            form = crf_type.form(instance=obj)
            values = {name: form[name].value() for name in form.fields}
            old_value = str(values.get(q.field_name, ""))
            values[q.field_name] = new_value
            bound = crf_type.form(data=values, instance=obj)
            if not bound.is_valid():
                raise ValidationError([f"{bound.fields[k].label}: {' '.join(v)}" if k in bound.fields
                                       else " ".join(v) for k, v in bound.errors.items()])
            save_crf(crf_type, bound.save(commit=False), visit=getattr(obj, "visit", None), user=user,
                     reason=_("Query answer: %(t)s") % {"t": text[:400]}, acknowledge=True)
        queries.answer_query(q, user=user, text=text, old_value=old_value, new_value=new_value)
