"""Where the apps to the right (randomization, crf, safety, exports) plug into the core's pages
without the core importing them (docs/ARCHITECTURE.md: dependencies point one way).

Each app registers in its AppConfig.ready(): navigation links, participant-page panels and
home-dashboard cards. The core renders whatever is registered.
"""
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class NavLink:
    url_name: str
    label: object  # lazy translated
    roles: frozenset
    order: int


@dataclass(frozen=True)
class Panel:
    """A section of a page: `context(request, obj)` returns its context, or None to hide it."""

    template: str
    context: Callable
    order: int


NAV_LINKS: list[NavLink] = []
PARTICIPANT_PANELS: list[Panel] = []
HOME_CARDS: list[Panel] = []
# Sections under an eCRF page's computed values, `context(request, instance)` (labs: where each value came from)
CRF_FORM_PANELS: list[Panel] = []


def add_nav_link(url_name: str, label, roles, order: int = 50) -> None:
    if all(link.url_name != url_name for link in NAV_LINKS):
        NAV_LINKS.append(NavLink(url_name, label, frozenset(roles), order))
        NAV_LINKS.sort(key=lambda link: link.order)


def _add(registry: list[Panel], template: str, context: Callable, order: int) -> None:
    if all(p.template != template for p in registry):
        registry.append(Panel(template, context, order))
        registry.sort(key=lambda p: p.order)


def add_participant_panel(template: str, context: Callable, order: int = 50) -> None:
    _add(PARTICIPANT_PANELS, template, context, order)


def add_home_card(template: str, context: Callable, order: int = 50) -> None:
    _add(HOME_CARDS, template, context, order)


def add_crf_form_panel(template: str, context: Callable, order: int = 50) -> None:
    _add(CRF_FORM_PANELS, template, context, order)


def render_panels(registry: list[Panel], request, obj=None) -> list[tuple[str, dict]]:
    out = []
    for panel in registry:
        ctx = panel.context(request, obj) if obj is not None else panel.context(request)
        if ctx is not None:
            out.append((panel.template, ctx))
    return out


@dataclass(frozen=True)
class StatusRule:
    """Where a participant is in the trial (docs/DAILY_USE.md, "Lifecycle status"): the rule needs the
    records of the apps to the right, so one of them registers it. `annotate(qs)` adds `lifecycle`
    and `lifecycle_rank`; `choices` are (value, label) in trial order."""

    annotate: Callable
    choices: tuple


LIFECYCLE: list[StatusRule] = []


def set_lifecycle_rule(annotate: Callable, choices) -> None:
    LIFECYCLE[:] = [StatusRule(annotate, tuple(choices))]


def lifecycle_choices() -> tuple:
    return LIFECYCLE[0].choices if LIFECYCLE else ()


def with_lifecycle(qs):
    """`qs` with `lifecycle`, `lifecycle_rank` and `lifecycle_label` (the screening status when no
    rule is registered)."""
    from django.db.models import F, Value

    if not LIFECYCLE:
        return qs.annotate(lifecycle=F("status"), lifecycle_rank=Value(0))
    return LIFECYCLE[0].annotate(qs)


def lifecycle_label(value: str):
    return dict(lifecycle_choices()).get(value, value)
