"""Home dashboard: counts and the enrolment chart, only for the user's sites."""
import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def test_it_counts_screened_failed_and_enrolled_at_my_sites_only(site, other_site, clinician,
                                                                 other_clinician, client_for):
    factories.enrolled_participant(site, clinician)
    failed = factories.screen(site, clinician)
    factories.screening_svc.record_screen_failure(failed, user=clinician, reason_code="exc1", note="")
    factories.screen(site, clinician)
    factories.enrolled_participant(other_site, other_clinician)
    r = client_for(clinician).get(reverse("home"))
    figures = r.context["figures"]
    assert (figures.screened, figures.screen_failed, figures.enrolled, figures.in_screening) == (3, 1, 1, 1)
    assert b"<svg" in r.content and b'data-figure="enrolled">1<' in r.content


def test_the_participant_list_shows_only_my_sites(site, other_site, clinician, other_clinician,
                                                   client_for, django_assert_max_num_queries):
    mine = factories.enrolled_participant(site, clinician)
    theirs = factories.enrolled_participant(other_site, other_clinician)
    c = client_for(clinician)
    r = c.get(reverse("participant_list"))
    assert mine.participant_code.encode() in r.content
    assert theirs.participant_code.encode() not in r.content


def test_the_participant_list_query_count_does_not_grow(site, clinician, client_for,
                                                        django_assert_num_queries):
    c = client_for(clinician)
    factories.enrolled_participant(site, clinician)
    c.get(reverse("participant_list"))  # warm the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    with CaptureQueriesContext(connection) as one:
        c.get(reverse("participant_list"))
    for _ in range(5):
        factories.enrolled_participant(site, clinician)
    with CaptureQueriesContext(connection) as six:
        c.get(reverse("participant_list"))
    assert len(six) == len(one)


def test_it_is_shown_in_chinese(site, clinician, client_for):
    c = client_for(clinician)
    r = c.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "筛选".encode() in r.content or "已入组".encode() in r.content


def test_ping_answers_a_signed_in_user_with_a_fixed_number_of_queries(clinician, client_for, client,
                                                                      django_assert_max_num_queries):
    c = client_for(clinician)
    with django_assert_max_num_queries(5):  # user, roles, session save (in a savepoint)
        r = c.get(reverse("ping"))
    assert r.status_code == 200 and r.content == b"ok"
    assert client.get(reverse("ping")).status_code == 302  # anonymous: to the sign-in page
