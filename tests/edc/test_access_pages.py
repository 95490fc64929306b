"""The access-control page (data manager changes blinded accounts; the PI reads), the system
administrator's `manage.py access`, and the production guards (protocol 2.8.2; docs/ACCESS_CONTROL.md)."""
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from edc import roles
from edc.models import AccessChange, User
from edc.services import grants
from tests import factories

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def dm(site):
    return factories.make_user(roles.DATA_MANAGER, site)


def memberships():
    return (list(User.groups.through.objects.order_by("pk").values_list("user_id", "group_id")),
            list(User.sites.through.objects.order_by("pk").values_list("user_id", "site_id")),
            list(User.objects.order_by("pk").values_list("is_active", "password")), AccessChange.objects.count())


def test_who_reads_the_page(site, dm, client_for):
    pi = factories.make_user(roles.PRINCIPAL_INVESTIGATOR, site)
    clinician = factories.make_user(roles.CLINICIAN, site)
    page = client_for(dm).get(reverse("access_overview"))
    assert page.status_code == 200 and clinician.username.encode() in page.content
    assert b'id="grant-log"' in page.content and b"Account set up on the server" in page.content
    pi_page = client_for(pi).get(reverse("access_account", args=[clinician.pk]))
    assert pi_page.status_code == 200 and b'name="action"' not in pi_page.content
    assert client_for(clinician).get(reverse("access_overview")).status_code == 403


def test_the_page_speaks_chinese(site, dm, client_for):
    c = client_for(dm)
    c.cookies["django_language"] = "zh-hans"
    page = c.get(reverse("access_overview"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "访问控制".encode() in page.content and "授权记录".encode() in page.content


def test_a_data_manager_grants_a_blinded_role_on_the_page(site, dm, client_for):
    clinician = factories.make_user(roles.CLINICIAN, site)
    r = client_for(dm).post(reverse("access_account", args=[clinician.pk]),
                            {"action": "grant_role", "role": roles.MONITOR, "reason": "Covers monitoring"})
    assert r.status_code == 302
    change = AccessChange.objects.filter(user=clinician).first()
    assert (change.kind, change.value, change.changed_by, change.reason) == ("role", roles.MONITOR, dm,
                                                                             "Covers monitoring")


def test_a_self_grant_on_the_page_is_refused(site, dm, client_for):
    c = client_for(dm)
    before = memberships()
    r = c.post(reverse("access_account", args=[dm.pk]),
               {"action": "grant_role", "role": roles.STATISTICIAN, "reason": "I need the exports"})
    assert r.status_code == 403 and b"Nobody changes their own access" in r.content
    assert memberships() == before


def test_a_crafted_post_granting_an_unblinded_role_is_refused(site, dm, client_for):
    clinician = factories.make_user(roles.CLINICIAN, site)
    c = client_for(dm)
    before = memberships()
    r = c.post(reverse("access_account", args=[clinician.pk]),
               {"action": "grant_role", "role": roles.RANDOMIZATION_ADMIN, "reason": "Please"})
    assert r.status_code == 200 and b"Select a valid choice" in r.content  # not even offered
    assert memberships() == before


def test_an_unblinded_account_cannot_be_changed_on_the_page(site, dm, client_for):
    pharmacist = factories.make_user(roles.PHARMACIST, site)
    c = client_for(dm)
    before = memberships()
    for data in ({"action": "set_password", "password": "an-attackers-passphrase-1", "reason": "Forgot it"},
                 {"action": "deactivate", "reason": "Left the trial"}):
        r = c.post(reverse("access_account", args=[pharmacist.pk]), data)
        assert r.status_code == 403 and b"only the system administrator manages it" in r.content
    assert memberships() == before
    assert b"system administrator" in c.get(reverse("access_account", args=[pharmacist.pk])).content


def test_the_pi_reads_but_cannot_post(site, client_for):
    pi = factories.make_user(roles.PRINCIPAL_INVESTIGATOR, site)
    clinician = factories.make_user(roles.CLINICIAN, site)
    c = client_for(pi)
    before = memberships()
    r = c.post(reverse("access_account", args=[clinician.pk]),
               {"action": "grant_role", "role": roles.MONITOR, "reason": "Covers monitoring"})
    assert r.status_code == 403 and memberships() == before


def test_a_new_blinded_account_from_the_page(site, dm, client_for):
    c = client_for(dm)
    r = c.post(reverse("access_new_account"), {
        "username": "nurse.zhang", "role": roles.COORDINATOR, "sites": [site.code],
        "password": "a-long-passphrase-77", "reason": "New study nurse"})
    assert r.status_code == 302
    user = User.objects.get(username="nurse.zhang")
    assert list(user.groups.values_list("name", flat=True)) == [roles.COORDINATOR]
    before = memberships()
    bad = c.post(reverse("access_new_account"), {
        "username": "Nurse.Zhang", "role": roles.COORDINATOR, "sites": [site.code],
        "password": "short", "reason": "New study nurse"})
    assert bad.status_code == 200 and b"This user name is taken" in bad.content
    assert b"too short" in bad.content
    assert memberships() == before


# --- the system administrator's command ---

def test_the_command_grants_the_code_break_permission_with_a_reason(site):
    pi = factories.make_user(roles.PRINCIPAL_INVESTIGATOR, site)
    out = io.StringIO()
    call_command("access", "grant", pi.username, "code-break", "--reason", "Deputy PI for nights",
                 stdout=out)
    assert grants.holds_code_break(pi) and "granted" in out.getvalue()
    change = AccessChange.objects.filter(user=pi).first()
    assert change.kind == "code_break" and change.changed_by is None
    assert change.changed_by_label.startswith("system administrator (")
    call_command("access", "revoke", pi.username, "code-break", "--reason", "Back to days", stdout=out)
    assert not grants.holds_code_break(User.objects.get(pk=pi.pk))


def test_the_command_needs_a_reason_and_a_known_user(site):
    before = memberships()
    with pytest.raises(CommandError, match="--reason"):
        call_command("access", "grant", "nobody", "superuser")
    with pytest.raises(CommandError, match="No user named"):
        call_command("access", "grant", "nobody", "superuser", "--reason", "because")
    with pytest.raises(CommandError, match="reason"):
        call_command("access", "grant", factories.make_user(roles.CLINICIAN, site).username,
                     "role", roles.PHARMACIST, "--reason", " ")
    assert memberships()[3] == before[3] + 3  # only the set-up of the clinician above


def test_the_command_creates_an_unblinded_account(site):
    call_command("access", "create", "pharm.wu", "--role", roles.PHARMACIST, "--site", site.code,
                 "--password", "a-long-passphrase-77", "--reason", "New cell-therapy pharmacist",
                 stdout=io.StringIO())
    user = User.objects.get(username="pharm.wu")
    assert list(user.groups.values_list("name", flat=True)) == [roles.PHARMACIST]
    assert AccessChange.objects.filter(user=user, changed_by=None).count() == 3


# --- production guards ---

def test_the_demo_loader_refuses_unless_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("load_demo_trial", stdout=io.StringIO())
    assert not User.objects.exists()


def test_the_demo_pi_holds_the_code_break_permission(settings):
    settings.DEBUG = True
    call_command("load_demo_trial", stdout=io.StringIO())
    holders = [u.username for u in User.objects.all() if grants.holds_code_break(u)]
    assert holders == ["pi"]


def test_production_settings_do_not_install_the_synthetic_app():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(DJANGO_SETTINGS_MODULE="edc.settings_production", ALLOWED_HOSTS="edc.example.org",
               SECRET_KEY="x" * 20 + "-a-long-random-production-secret-key-0123456789")
    code = ("import django; django.setup(); from django.conf import settings; "
            "print('synthetic' in settings.INSTALLED_APPS, 'edc' in settings.INSTALLED_APPS)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.stdout.split() == ["False", "True"], result.stderr
    help_ = subprocess.run([sys.executable, "manage.py", "help", "synthesize_trial"], cwd=ROOT, env=env,
                           capture_output=True, text=True)
    assert help_.returncode != 0 and "Unknown command" in help_.stderr
