"""The deviation page prefilled from a prohibited concomitant medication (protocol 2.5.5):
`/participants/<pk>/log/deviation/?from_conmed=<row_pk>`. The generic entry view passes no initial
values, so the page's template asks for the prefilled form here."""
from django import template
from django.core.exceptions import ValidationError

from crf.models import ConcomitantMedication

register = template.Library()


@register.simple_tag
def prefill_from_conmed(form, participant, conmed_pk):
    """A new, unbound deviation form prefilled from the participant's conmed row; else `form`."""
    if form.is_bound or not form.instance._state.adding or not conmed_pk:
        return form
    try:
        conmed = ConcomitantMedication.objects.get(participant=participant, pk=conmed_pk)
    except (ConcomitantMedication.DoesNotExist, ValidationError, ValueError):
        return form  # another participant's row or a malformed id: an empty form, no hint why
    from crf.ecrf.deviation import initial_from_conmed

    return type(form)(instance=form.instance, initial=initial_from_conmed(conmed))
