"""`{{ status|status_label }}`: a visit status code shown in the reader's language;
`{{ day|month_day }}`: "11-25", for long visit lists (Django's `date` filter is generic and slow:
it dominated the worklist's rendering at 10,000 participants)."""
from django import template

from crf.models import VisitStatus

register = template.Library()
LABELS = dict(VisitStatus.choices)


@register.filter
def status_label(code: str) -> str:
    return str(LABELS.get(code, code))


@register.filter
def month_day(day) -> str:
    return "" if day is None else f"{day.month:02d}-{day.day:02d}"
