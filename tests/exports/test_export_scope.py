"""Exports follow site membership (docs/ARCHITECTURE.md rule 6; docs/BLINDING.md "Export scope"): a user
exports only their sites' participants; every site only with the explicit trial-wide grant."""
import csv
import io
import zipfile

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from edc import roles
from exports.scope import export_sites
from exports.services import runs
from tests import factories
from tests.edc.test_access_log import _new_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_sites(site, other_site, clinician, other_clinician, tmp_path, monkeypatch):
    monkeypatch.setattr(runs, "EXPORT_DIR", tmp_path)
    factories.strata_and_list()
    mine = factories.randomized_participant(site, clinician)
    theirs = factories.randomized_participant(other_site, other_clinician)
    return mine, theirs


def grant_trial_wide(user):
    user.user_permissions.add(Permission.objects.get(codename="export_trial_wide"))
    return type(user).objects.get(pk=user.pk)  # a fresh object: permissions are cached per instance


def codes_in_zip(run) -> set[str]:
    with zipfile.ZipFile(run.file_path) as archive:
        text = archive.read("participants.csv").decode("utf-8-sig")
    return {row["participant_id"] for row in csv.DictReader(io.StringIO(text))}


def test_a_site_member_exports_only_their_sites(two_sites, site):
    mine, theirs = two_sites
    statistician = factories.make_user(roles.STATISTICIAN, site)
    run = runs.build(runs.request_export(user=statistician).pk)
    assert run.site_ids == [site.pk] and codes_in_zip(run) == {mine.participant_code}
    with zipfile.ZipFile(run.file_path) as archive:
        assert theirs.participant_code not in archive.read("odm.xml").decode()
        assert "only the requester's sites" in archive.read("README.txt").decode()


def test_trial_wide_is_an_explicit_grant_directly_or_through_a_group(two_sites, site):
    mine, theirs = two_sites
    direct = grant_trial_wide(factories.make_user(roles.STATISTICIAN, site))
    run = runs.build(runs.request_export(user=direct).pk)
    assert run.site_ids is None and codes_in_zip(run) == {mine.participant_code, theirs.participant_code}
    via_group = factories.make_user(roles.DATA_MANAGER, site)
    group = Group.objects.create(name="trial-wide exporters")
    group.permissions.add(Permission.objects.get(codename="export_trial_wide"))
    via_group.groups.add(group)
    assert export_sites(type(via_group).objects.get(pk=via_group.pk)) is None


def test_no_role_carries_the_grant_by_default(site):
    for role in roles.ALL_ROLES:
        assert export_sites(factories.make_user(role, site)) == [site.pk], role


def test_a_user_without_sites_exports_nobody(two_sites):
    loner = factories.make_user(roles.STATISTICIAN)
    run = runs.build(runs.request_export(user=loner).pk)
    assert run.site_ids == [] and codes_in_zip(run) == set()


def test_the_api_follows_the_same_scope(two_sites, site):
    mine, theirs = two_sites
    statistician = factories.make_user(roles.STATISTICIAN, site)
    key = _new_token(statistician)
    body = b"".join(Client().get(reverse("api_dataset", args=["participants"]),
                                 HTTP_AUTHORIZATION=f"Token {key}").streaming_content).decode()
    assert mine.participant_code in body and theirs.participant_code not in body
    grant_trial_wide(statistician)
    body = b"".join(Client().get(reverse("api_dataset", args=["participants"]),
                                 HTTP_AUTHORIZATION=f"Token {key}").streaming_content).decode()
    assert mine.participant_code in body and theirs.participant_code in body


def test_a_site_member_cannot_open_or_download_a_trial_wide_export(two_sites, site, client_for):
    wide = grant_trial_wide(factories.make_user(roles.STATISTICIAN, site))
    run = runs.build(runs.request_export(user=wide).pk)
    c = client_for(factories.make_user(roles.STATISTICIAN, site))
    for name in ("export_detail", "export_progress", "export_download"):
        assert c.get(reverse(name, args=[run.pk])).status_code == 404, name
    assert str(run.pk) not in c.get(reverse("export_home")).content.decode()
    assert client_for(wide).get(reverse("export_download", args=[run.pk])).status_code == 200


def test_a_colleague_of_the_same_sites_may_open_a_site_export_but_not_another_sites(two_sites, site, other_site,
                                                                                    client_for):
    run = runs.build(runs.request_export(user=factories.make_user(roles.STATISTICIAN, site)).pk)
    colleague = client_for(factories.make_user(roles.DATA_MANAGER, site))
    assert colleague.get(reverse("export_download", args=[run.pk])).status_code == 200
    outsider = client_for(factories.make_user(roles.STATISTICIAN, other_site))
    assert outsider.get(reverse("export_download", args=[run.pk])).status_code == 404
