"""`{{ status|status_label }}`: a visit status code shown in the reader's language."""
from django import template

from crf.models import VisitStatus

register = template.Library()
LABELS = dict(VisitStatus.choices)


@register.filter
def status_label(code: str) -> str:
    return str(LABELS.get(code, code))
