"""Deny by default, generated from the URL conf: every URL for anonymous, each role and
another site's user."""
import pytest
from django.urls import reverse

from edc import roles
from edc.access import PUBLIC
from tests import factories
from tests.url_objects import url_objects
from tests.url_walk import kwargs_for, routes

pytestmark = pytest.mark.django_db

ALL = routes()


@pytest.fixture
def objects(site, clinician):
    return url_objects(site, clinician)


def test_every_view_declares_who_may_use_it():
    undeclared = [r.pattern for r in ALL if r.access is None]
    assert undeclared == []


def test_there_are_routes_to_check():
    assert len(ALL) >= 12


@pytest.mark.parametrize("route", [r for r in ALL if r.access != PUBLIC], ids=lambda r: r.name)
def test_anonymous_users_are_sent_to_sign_in(route, client, objects):
    response = client.get(reverse(route.name, kwargs=kwargs_for(route, objects)))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("route", [r for r in ALL if r.access != PUBLIC], ids=lambda r: r.name)
def test_each_role_gets_exactly_what_the_view_declares(route, users_by_role, client_for, objects):
    url = reverse(route.name, kwargs=kwargs_for(route, objects))
    for role, user in users_by_role.items():
        status = client_for(user).get(url).status_code
        if role in route.access:
            assert status not in (403, 404), f"{role} refused at {url}"
        else:
            assert status == 403, f"{role} got {status} at {url}"


OBJECT_PARAMS = {"pk", "visit_pk", "ae_pk", "sae_pk"}  # objects that belong to a site


@pytest.mark.parametrize("route", [r for r in ALL if OBJECT_PARAMS & set(r.params)], ids=lambda r: r.name)
def test_another_sites_user_gets_404(route, other_site, client_for, objects):
    for role in route.access:
        outsider = factories.make_user(role, other_site)
        status = client_for(outsider).get(reverse(route.name, kwargs=kwargs_for(route, objects))).status_code
        assert status == 404, f"{role} of another site got {status}"


def test_a_user_without_any_role_is_refused_everywhere(site, client_for, objects):
    from edc.models import User
    nobody = User.objects.create_user("nobody", password=factories.PASSWORD)
    nobody.sites.add(site)
    for route in ALL:
        if route.access == PUBLIC:
            continue
        url = reverse(route.name, kwargs=kwargs_for(route, objects))
        assert client_for(nobody).get(url).status_code == 403


def test_csrf_is_enforced_on_posts(site, clinician, objects):
    from django.test import Client
    c = Client(enforce_csrf_checks=True)
    c.force_login(clinician, backend="django.contrib.auth.backends.ModelBackend")
    r = c.post(reverse("screening_new"), {"screening_number": "X1"})
    assert r.status_code == 403


def test_roles_are_the_eight_of_the_design():
    assert set(roles.ALL_ROLES) == {
        "clinician", "coordinator", "principal_investigator", "monitor", "statistician",
        "randomization_admin", "pharmacist", "data_manager"}
