"""403, 404 and 500 pages look like the app, in the reader's language, with or without DEBUG, and a
participant of another site is only "not found" (no debug page, nothing about whether it exists)."""
import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

from edc import roles
from tests import factories

pytestmark = pytest.mark.django_db

DEBUG_MARKERS = ("Traceback", "Using the URLconf", "You're seeing this error because", "Request Method")


def looks_like_the_app(html: str) -> bool:
    return 'class="topbar"' in html and "edc.css" in html and not any(m in html for m in DEBUG_MARKERS)


@pytest.mark.parametrize("debug", [True, False])
@pytest.mark.parametrize("language, words", [("en", "Not found"), ("zh-hans", "未找到")])
def test_another_sites_participant_is_not_found_in_the_apps_page(settings, site, other_site, client_for,
                                                                 debug, language, words):
    settings.DEBUG = debug
    theirs = factories.screen(other_site, factories.make_user(roles.CLINICIAN, other_site))
    client = client_for(factories.make_user(roles.CLINICIAN, site))
    response = client.get(reverse("participant_detail", args=[theirs.pk]), HTTP_ACCEPT_LANGUAGE=language)
    html = response.content.decode()
    assert response.status_code == 404 and words in html and looks_like_the_app(html)
    assert theirs.screening_number not in html and theirs.initials not in html


@pytest.mark.parametrize("debug", [True, False])
def test_a_url_that_matches_nothing_gets_the_apps_404(settings, site, client_for, debug):
    settings.DEBUG = debug
    response = client_for(factories.make_user(roles.CLINICIAN, site)).get("/no/such/page/",
                                                                          HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = response.content.decode()
    assert response.status_code == 404 and "未找到" in html and looks_like_the_app(html)


@pytest.mark.parametrize("language, words", [("en", "Not allowed"), ("zh-hans", "无权访问")])
def test_a_role_without_access_gets_the_apps_403(settings, site, client_for, language, words):
    settings.DEBUG = True
    response = client_for(factories.make_user(roles.CLINICIAN, site)).get(reverse("database_lock"),
                                                                          HTTP_ACCEPT_LANGUAGE=language)
    html = response.content.decode()
    assert response.status_code == 403 and words in html and looks_like_the_app(html)


@pytest.mark.parametrize("language, words", [("en", "Something went wrong"), ("zh-hans", "出现错误")])
def test_the_500_page_renders_without_a_request_context(language, words):
    from django.utils import translation

    with translation.override(language):
        response = server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500 and words in html and looks_like_the_app(html)
