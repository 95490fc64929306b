"""Every URL of the project, with real objects in place of its arguments (for access and blinding
scans that must cover the whole URL conf, not a hand-kept list)."""
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

from edc.access import view_access

SKIP_PREFIXES = ("admin/", "i18n/")


@dataclass
class Route:
    name: str
    pattern: str
    view: object
    params: list[str]

    @property
    def access(self):
        return view_access(self.view)


def routes() -> list[Route]:
    found: list[Route] = []

    def walk(patterns, prefix=""):
        for p in patterns:
            text = prefix + str(p.pattern)
            if text.startswith(SKIP_PREFIXES):
                continue
            if isinstance(p, URLResolver):
                walk(p.url_patterns, text)
            elif isinstance(p, URLPattern):
                found.append(Route(p.name, text, p.callback, list(p.pattern.converters)))

    walk(get_resolver().url_patterns)
    return found


def kwargs_for(route: Route, objects: dict) -> dict:
    """Fill the route's parameters from `objects` (name -> value); `objects["routes"][route_name]`
    may override a value for one route. KeyError names what is missing."""
    values = {**objects, **objects.get("routes", {}).get(route.name, {})}
    kwargs = {name: values[name] for name in route.params}
    if any(v is None for v in kwargs.values()):
        import pytest
        pytest.skip(f"no object yet for {route.name}")  # e.g. no eCRF of that kind registered
    return kwargs
