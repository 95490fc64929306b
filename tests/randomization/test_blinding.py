"""Blinding scan (issue 3 proof): every URL of the URL conf, with real objects in place, rendered as
each blinded role in both languages, holds no arm; the same for each PDF a blinded role can fetch.
A positive control proves the scan sees an arm where one is allowed."""
import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from edc import roles
from edc.access import PUBLIC
from tests import factories
from tests.url_objects import objects_for
from tests.url_walk import kwargs_for, routes

pytestmark = pytest.mark.django_db

BLINDED = [r for r in roles.ALL_ROLES if r not in roles.UNBLINDED_ROLES]
ARM_TEXT = ["uc-MSC arm", "Placebo arm", "脐带间充质干细胞组", "安慰剂组"]
ARM_TOKEN = re.compile(r"\b(msc|placebo)\b")  # raw arm codes, lower case (the trial name is "uc-MSC")


def page_text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith("application/pdf"):
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    return body.decode("utf-8", errors="replace")


# The trial's own title names both arms; it is the same on every page and for every participant.
TRIAL_TITLE = "uc-MSC versus placebo"


def arm_leaks(text: str) -> list[str]:
    text = text.replace(TRIAL_TITLE, "")
    found = [t for t in ARM_TEXT if t in text]
    found += [m.group(0) for m in ARM_TOKEN.finditer(text)]
    return found


@pytest.fixture
def world(site, clinician):
    factories.external_contacts()
    unblinded = factories.participant_with_everything(site, clinician)
    still_blind = factories.randomized_participant(site, clinician, prior_therapy="gc_cyc")
    factories.prepared_bag(still_blind)
    return {"unblinded": unblinded, "still_blind": still_blind}


def test_no_page_or_pdf_shows_an_arm_to_a_blinded_role(site, world, clinician, client_for):
    checked = 0
    for p in world.values():
        objects = objects_for(p, clinician)
        for role in BLINDED:
            user = factories.make_user(role, site)
            client = client_for(user)
            for route in routes():
                if route.access == PUBLIC or not (route.access & {role}):
                    continue
                try:
                    url = reverse(route.name, kwargs=kwargs_for(route, objects))
                except pytest.skip.Exception:
                    continue
                for lang in ("en", "zh-hans"):
                    response = client.get(url, HTTP_ACCEPT_LANGUAGE=lang)
                    if response.status_code != 200:
                        continue
                    assert arm_leaks(page_text(response)) == [], f"{role} sees an arm at {url} ({lang})"
                    checked += 1
    assert checked > 40  # the scan really rendered pages


def test_the_admin_shows_no_arm_to_the_data_manager(site, world, client_for):
    dm = client_for(factories.make_user(roles.DATA_MANAGER, site))
    for url in ["/admin/", "/admin/edc/user/", "/admin/edc/site/", "/admin/edc/externalcontact/"]:
        response = dm.get(url)
        assert response.status_code == 200
        assert arm_leaks(page_text(response)) == []
    assert dm.get("/admin/randomization/allocationrow/").status_code == 404


def test_positive_control_the_requester_sees_the_arm_of_that_participant_only(site, world, client_for):
    p = world["unblinded"]
    requester = p.emergency_unblinding.requested_by
    c = client_for(requester)
    text = page_text(c.get(reverse("participant_detail", args=[p.pk])))
    assert arm_leaks(text) == [p.randomization.row.get_arm_display()]
    other = world["still_blind"]
    assert arm_leaks(page_text(c.get(reverse("participant_detail", args=[other.pk])))) == []
    pdf = page_text(c.get(reverse("unblinding_record", args=[p.pk])))
    assert str(p.randomization.row.get_arm_display()) in pdf


def test_another_pi_reading_the_unblinding_record_gets_no_arm(site, world, client_for):
    p = world["unblinded"]
    other_pi = client_for(factories.make_user(roles.PRINCIPAL_INVESTIGATOR, site))
    pdf = page_text(other_pi.get(reverse("unblinding_record", args=[p.pk])))
    assert "withheld" in pdf and arm_leaks(pdf) == []


def test_the_unblinding_notice_holds_no_arm(site, world):
    from edc.models import Notification
    notices = Notification.objects.filter(kind="unblinding")
    assert notices.count() >= 2  # sponsor, CRO (and PIs)
    for n in notices:
        assert arm_leaks(n.subject + n.body) == []


def test_history_views_do_not_carry_the_arm(site, world, client_for):
    p = world["unblinded"]
    c = client_for(factories.make_user(roles.MONITOR, site))
    text = page_text(c.get(reverse("participant_audit", args=[p.pk])))
    assert "Randomized" in text and arm_leaks(text) == []
