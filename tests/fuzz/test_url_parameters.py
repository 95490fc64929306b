"""Every URL of the URL conf with garbage in its parameters (unknown UUIDs, another kind of object's UUID,
huge integers, odd slugs), by GET and POST, as a user holding a role the view allows: never 500, and an
unknown object is a 404 (tests/url_walk.py walks the URL conf, so a new view is covered)."""
import uuid

import pytest
from django.urls import NoReverseMatch, reverse
from hypothesis import assume, example, given
from hypothesis import strategies as st

from edc.access import PUBLIC
from tests.fuzz.conftest import fuzz_client
from tests.fuzz.db import request
from tests.fuzz.strategies import NASTY_STRINGS, fuzz
from tests.url_objects import url_objects
from tests.url_walk import routes

pytestmark = pytest.mark.django_db
WITH_PARAMS = [r for r in routes() if r.params]
BY_NAME = {r.name: r for r in WITH_PARAMS}
# Marking an unknown notification read is a no-op that returns to the inbox (nothing written: checked).
NO_OP_REDIRECT = {"inbox_read"}


@pytest.fixture
def world(site, clinician, users_by_role):
    objects = url_objects(site, clinician)
    real_uuids = [v for v in objects.values() if isinstance(v, uuid.UUID)]
    real_ints = [v for v in objects.values() if isinstance(v, int) and not isinstance(v, bool)]
    return objects, real_uuids, real_ints, users_by_role


def converters(route) -> dict[str, str]:
    import re
    return dict((name, kind) for kind, name in re.findall(r"<(\w+):(\w+)>", route.pattern))


slugs = st.one_of(st.from_regex(r"\A[-a-zA-Z0-9_]{1,40}\Z"),
                  st.sampled_from(["labs", "deviation", "x", "-", "_" * 300]))
strs = st.one_of(slugs, st.sampled_from([s for s in NASTY_STRINGS if s and "/" not in s and len(s) < 500]))


@st.composite
def garbage(draw, route, real_uuids, real_ints):
    kwargs, fresh = {}, True
    for name, kind in converters(route).items():
        if kind == "uuid":
            if real_uuids and draw(st.booleans()):
                kwargs[name], fresh = draw(st.sampled_from(real_uuids)), False
            else:
                kwargs[name] = uuid.UUID(int=draw(st.integers(0, 2**128 - 1)))
        elif kind == "int":
            if real_ints and draw(st.integers(0, 3)) == 0:
                kwargs[name], fresh = draw(st.sampled_from(real_ints)), False
            else:
                kwargs[name] = draw(st.one_of(st.integers(0, 10**6), st.integers(2**31, 10**40)))
        else:
            kwargs[name], fresh = draw(slugs if kind == "slug" else strs), False
    return kwargs, fresh


@fuzz(200)
@given(data=st.data(), name=st.sampled_from(sorted(BY_NAME)), method=st.sampled_from(["get", "post"]))
@example(data=None, name="obligation_meet", method="post")  # an int beyond bigint
@example(data=None, name="stratum_edit", method="get")
def test_garbage_in_a_url_is_never_a_server_error(world, data, name, method):
    objects, real_uuids, real_ints, users = world
    route = BY_NAME[name]
    if data is None:  # the explicit examples: the largest integers the int converter lets through
        kwargs, fresh = {k: 10**40 for k in route.params}, True
    else:
        kwargs, fresh = data.draw(garbage(route, real_uuids, real_ints))
    try:
        url = reverse(route.name, kwargs=kwargs)
    except NoReverseMatch:
        assume(False)
    if route.access == PUBLIC:
        from django.test import Client
        client = Client(raise_request_exception=False)
    else:
        client = fuzz_client(users[sorted(route.access)[0]])
    response = request(client, method, url, {} if method == "post" else None)
    if fresh:
        allowed = (401, 403, 404, 405) + ((302,) if name in NO_OP_REDIRECT else ())
        assert response.status_code in allowed, f"{method.upper()} {url}: {response.status_code}"
