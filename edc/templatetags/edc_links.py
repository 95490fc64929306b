"""`{% may_open 'url_name' as ok %}`: whether the reader may open a page, from the access its view
declares (edc.access.may_open). A built-in tag (settings.TEMPLATES), so every template can ask."""
from django import template

from edc.access import may_open as _may_open

register = template.Library()


@register.simple_tag(takes_context=True)
def may_open(context, url_name: str) -> bool:
    request = context.get("request")
    return request is not None and _may_open(request.user, url_name)
