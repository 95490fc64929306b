"""Deny by default: every view declares who may use it (docs/ARCHITECTURE.md rule 6).

`@allow(roles)` marks a view; `AccessPolicyMiddleware` refuses any view that carries no mark, sends
anonymous users to the login page and answers 403 to a signed-in user without one of the roles.
Site isolation is the selectors' job: another site's participant answers 404 there.
"""
import functools
from collections.abc import Callable, Iterable

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

ACCESS_ATTR = "edc_access"
PUBLIC = "public"


def allow(roles: Iterable[str]) -> Callable:
    """Let signed-in users holding any of `roles` use the view."""
    allowed = frozenset(roles)

    def mark(view: Callable) -> Callable:
        setattr(view, ACCESS_ATTR, allowed)
        return view

    return mark


def public(view: Callable) -> Callable:
    """Open to anyone, signed in or not (login page, language switch)."""
    setattr(view, ACCESS_ATTR, PUBLIC)
    return view


def user_roles(user) -> frozenset[str]:
    """The role names of `user`, read once per user object."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_edc_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._edc_roles = cached
    return cached


def has_any_role(user, roles: Iterable[str]) -> bool:
    return bool(user_roles(user) & frozenset(roles))


def view_access(view_func: Callable):
    """The declared access of a resolved view, or None when it declares nothing."""
    return getattr(view_func, ACCESS_ATTR, None)


def may_open(user, url_name: str) -> bool:
    """Whether `user` may open the page named `url_name`, by the access its view declares: pages
    show a link only where this holds (the `{% may_open %}` tag, the navigation), so no role is
    offered a door that answers 403 and no role list is written twice."""
    access = _access_by_url_name().get(url_name)
    return access == PUBLIC or (access is not None and user.is_authenticated and has_any_role(user, access))


@functools.cache
def _access_by_url_name() -> dict:
    from django.urls import URLPattern, URLResolver, get_resolver

    found: dict = {}

    def walk(patterns, namespace: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, ns)
            elif isinstance(entry, URLPattern) and entry.name:
                found.setdefault(namespace + entry.name, view_access(entry.callback))

    walk(get_resolver().url_patterns, "")
    return found


# Third-party views with their own checks: the admin (staff only; its history pages, from
# django-simple-history, are wrapped by the admin site too) and Django's i18n switcher.
_TRUSTED_MODULES = ("django.contrib.admin", "simple_history.admin", "django.views.i18n",
                    "django.views.static", "django.contrib.staticfiles")


class AccessPolicyMiddleware:
    def __init__(self, get_response: Callable):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        access = view_access(view_func)
        if access is None:
            module = getattr(view_func, "__module__", "") or ""
            if module.startswith(_TRUSTED_MODULES):
                return None
            raise PermissionDenied("This page declares no access rule.")
        if access == PUBLIC:
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        if not has_any_role(request.user, access):
            raise PermissionDenied
        return None
