"""Blinded by default: the arm only after database lock and a recorded dataset unblinding; every
export logged; a statistician's token reads the (blinded) datasets."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from crf.services import locks
from edc import roles
from exports.models import ApiToken, ExportRun
from exports.services import release, runs
from tests import factories
from tests.exports.helpers import crafted

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(site, clinician):
    factories.strata_and_list()
    return [crafted(site, clinician), crafted(site, clinician, infused=False)]


@pytest.fixture
def statistician(site):
    return factories.make_user(roles.STATISTICIAN, site)


@pytest.fixture
def randadmin(site):
    return factories.make_user(roles.RANDOMIZATION_ADMIN, site)


def test_an_unblinded_export_is_refused_before_lock_and_release(people, statistician, randadmin, site):
    with pytest.raises(PermissionDenied):
        runs.request_export(user=statistician, unblinded=True)
    with pytest.raises(ValidationError, match="Lock the database"):
        release.release_arm(user=randadmin, reason="final analysis")
    dm = factories.make_user(roles.DATA_MANAGER, site)
    locks.lock(scope="database", user=dm)
    with pytest.raises(PermissionDenied):
        release.release_arm(user=statistician, reason="I would like to see")
    release.release_arm(user=randadmin, reason="final analysis per SAP 2.0")
    run = runs.request_export(user=statistician, unblinded=True)
    assert not run.blinded and "participants" in run.datasets
    assert ExportRun.objects.filter(requested_by=statistician).count() == 1


def test_unlocking_the_database_withdraws_the_release(people, randadmin, site):
    dm = factories.make_user(roles.DATA_MANAGER, site)
    lock = locks.lock(scope="database", user=dm)
    release.release_arm(user=randadmin, reason="final analysis")
    assert release.arm_released()
    locks.unlock(lock, user=dm, reason="late query")
    assert not release.arm_released()


def test_every_export_is_logged_and_listed(people, statistician, client_for):
    runs.request_export(user=statistician)
    r = client_for(statistician).get(reverse("export_home"))
    assert r.status_code == 200 and statistician.printed_name.encode() in r.content


def test_the_api_needs_a_valid_statistician_token(people, statistician, client_for, client):
    assert client.get(reverse("api_dataset", args=["participants"])).status_code == 401
    r = client.get(reverse("api_dataset", args=["participants"]), HTTP_AUTHORIZATION="Token not-a-token")
    assert r.status_code == 401
    page = client_for(statistician).post(reverse("api_token"))
    key = page.context["key"]
    r = client.get(reverse("api_dataset", args=["participants"]), HTTP_AUTHORIZATION=f"Token {key}")
    body = b"".join(r.streaming_content).decode("utf-8")
    assert r.status_code == 200 and body.startswith("\ufeffparticipant_id,")
    assert people[0].participant_code in body
    for arm in ("msc", "placebo"):
        assert f",{arm}" not in body  # blinded: no arm column, no arm value
    assert ApiToken.objects.get().last_used_at is not None
    # a new token revokes the old one
    client_for(statistician).post(reverse("api_token"))
    r = client.get(reverse("api_dataset", args=["participants"]), HTTP_AUTHORIZATION=f"Token {key}")
    assert r.status_code == 401


def test_an_unknown_dataset_is_404(people, statistician, client_for, client):
    key = client_for(statistician).post(reverse("api_token")).context["key"]
    r = client.get(reverse("api_dataset", args=["nope"]), HTTP_AUTHORIZATION=f"Token {key}")
    assert r.status_code == 404
