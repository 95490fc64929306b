"""No page offers a role a link it cannot open (edc.access.may_open): every role walks its pages —
the navigation and one link of each kind below them, on a trial with something everywhere — and
every link found is checked against the access its view declares. A link the reader may not
follow is a door painted on a wall (403), and a sign that a role list was written twice."""
import re
from urllib.parse import urlparse

import pytest
from django.urls import Resolver404, resolve

from edc import roles
from edc.access import PUBLIC, has_any_role, view_access
from tests import factories

pytestmark = pytest.mark.django_db

HREF = re.compile(r'href="([^"#]*)')
NOT_PAGES = ("/static/", "/admin/", "/i18n/", "/logout")  # files, Django's own admin (staff check), the switcher


def kind(path: str) -> str:
    return re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}|\d+", "N", path)


def internal_links(html: str) -> set[str]:
    out = set()
    for href in HREF.findall(html):
        url = urlparse(href)
        if url.netloc or not url.path.startswith("/") or url.path.startswith(NOT_PAGES):
            continue
        out.add(url.path + (f"?{url.query}" if url.query else ""))
    return out


def refused(user, path: str) -> bool:
    try:
        match = resolve(urlparse(path).path)
    except Resolver404:
        return True
    access = view_access(match.func)
    if access is None:
        return not getattr(match.func, "__module__", "").startswith("django.")
    return access != PUBLIC and not has_any_role(user, access)


@pytest.mark.parametrize("role", roles.ALL_ROLES)
def test_every_link_a_role_is_shown_opens(role, site, clinician):
    p = factories.participant_with_everything(site, clinician)
    factories.screen(site, clinician)  # someone in screening too
    user = factories.make_user(role, site)
    client = factories.signed_in_client(user)
    seen_kinds, queue, bad, pages = set(), ["/", f"/participants/{p.pk}/"], [], 0
    while queue and pages < 60:
        path = queue.pop(0)
        response = client.get(path)
        pages += 1
        assert response.status_code < 500, path
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        for link in sorted(internal_links(response.content.decode())):
            if refused(user, link):
                bad.append((path, link))
            elif kind(urlparse(link).path) not in seen_kinds:
                seen_kinds.add(kind(urlparse(link).path))
                queue.append(link)
    assert bad == [], f"{role} is shown links it cannot open: {bad}"
    assert pages > 3
