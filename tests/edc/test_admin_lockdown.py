"""The Django admin cannot go around the grant rules (docs/ACCESS_CONTROL.md "The admin"): crafted
POSTs to the user, group, password, authenticator and grant-log pages change nothing, for a data
manager (staff) and for a superuser alike; safety tables are edited only with a typed reason."""
import pytest
from django.contrib.auth.models import Group, Permission
from django_otp.plugins.otp_totp.models import TOTPDevice

from edc import roles
from edc.models import AccessChange, ExternalContact, TwoFactorReset, User
from safety.models import ObligationPolicy
from tests import factories
from tests.fuzz.db import NOT_DATA, table_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def dm(site):
    return factories.make_user(roles.DATA_MANAGER, site)


def state():
    """Values a grant could change, plus the row count of every table (tests/fuzz/db.py)."""
    counts = {t: n for t, n in table_counts().items() if t not in NOT_DATA}
    return (counts,list(User.objects.order_by("pk").values_list(
                "username", "is_staff", "is_superuser", "is_active", "password")),
            list(User.groups.through.objects.order_by("pk").values_list("user_id", "group_id")),
            list(User.sites.through.objects.order_by("pk").values_list("user_id", "site_id")),
            list(User.user_permissions.through.objects.order_by("pk").values_list("user_id", "permission_id")),
            list(Group.permissions.through.objects.order_by("pk").values_list("group_id", "permission_id")),
            Group.objects.count(), AccessChange.objects.count(), User.history.count(),
            list(TOTPDevice.objects.order_by("pk").values_list("user_id", "key", "confirmed")))


def escalation(user, site):
    """What a browser would never send from a read-only page: every privilege at once."""
    return {"username": user.username, "first_name": "X", "last_name": "Y", "email": "x@example.org",
            "is_active": "on", "is_staff": "on", "is_superuser": "on",
            "groups": [g.pk for g in Group.objects.all()],
            "user_permissions": list(Permission.objects.values_list("pk", flat=True)[:50]),
            "sites": [site.pk], "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00",
            "password1": "an-attackers-passphrase-1", "password2": "an-attackers-passphrase-1",
            "usable_password": "true"}


def test_a_data_manager_cannot_make_himself_superuser_in_the_admin(site, dm, client_for):
    c = client_for(dm)
    before = state()
    r = c.post(f"/admin/edc/user/{dm.pk}/change/", escalation(dm, site))
    assert r.status_code == 403
    assert state() == before
    dm.refresh_from_db()
    assert not dm.is_superuser and set(dm.groups.values_list("name", flat=True)) == {roles.DATA_MANAGER}


@pytest.mark.parametrize("target_role", [roles.CLINICIAN, roles.PHARMACIST, roles.RANDOMIZATION_ADMIN])
def test_no_admin_write_path_to_any_account(site, dm, client_for, target_role):
    target = factories.make_user(target_role, site)
    factories.authenticator(target)
    c = client_for(dm)
    device = TOTPDevice.objects.get(user=target).pk
    before = state()
    posts = {
        f"/admin/edc/user/{target.pk}/change/": escalation(target, site),
        f"/admin/edc/user/{target.pk}/password/": {"password1": "an-attackers-passphrase-1",
                                                   "password2": "an-attackers-passphrase-1"},
        f"/admin/edc/user/{target.pk}/delete/": {"post": "yes"},
        "/admin/edc/user/add/": {**escalation(target, site), "username": "sleeper"},
        f"/admin/otp_totp/totpdevice/{device}/change/": {"name": "x", "confirmed": "on"},
        f"/admin/otp_totp/totpdevice/{device}/delete/": {"post": "yes"},
        "/admin/otp_totp/totpdevice/add/": {"user": dm.pk, "name": "mine", "key": "00" * 20, "confirmed": "on"},
    }
    for url, data in posts.items():
        assert c.post(url, data).status_code == 403, url
    assert c.get(f"/admin/edc/user/{target.pk}/password/").status_code == 403
    assert state() == before
    target.refresh_from_db()
    assert target.check_password(factories.PASSWORD) and not User.objects.filter(username="sleeper").exists()


def test_the_change_list_action_cannot_delete_or_change_users(site, dm, client_for):
    target = factories.make_user(roles.CLINICIAN, site)
    c = client_for(dm)
    before = state()
    r = c.post("/admin/edc/user/", {"action": "delete_selected", "_selected_action": [target.pk],
                                                 "post": "yes"})
    assert r.status_code in (200, 302, 403)
    assert state() == before


def test_a_superuser_cannot_write_accounts_in_the_admin_either(site, client_for):
    boss = User.objects.create_superuser("boss", "boss@example.org", factories.PASSWORD)
    target = factories.make_user(roles.CLINICIAN, site)
    c = client_for(boss)
    before = state()
    assert c.post(f"/admin/edc/user/{target.pk}/change/", escalation(target, site)).status_code == 403
    assert c.post("/admin/auth/group/add/", {"name": "shadow_admins"}).status_code == 403
    assert state() == before


def test_groups_and_permissions_cannot_be_written(site, dm, client_for):
    c = client_for(dm)
    group = Group.objects.get(name=roles.CLINICIAN)
    every = list(Permission.objects.values_list("pk", flat=True))
    before = state()
    assert c.post("/admin/auth/group/add/", {"name": "shadow", "permissions": every}).status_code == 403
    change = f"/admin/auth/group/{group.pk}/change/"
    assert c.post(change, {"name": group.name, "permissions": every}).status_code == 403
    assert c.post(f"/admin/auth/group/{group.pk}/delete/", {"post": "yes"}).status_code == 403
    assert c.get("/admin/auth/group/").status_code == 200  # readable
    assert c.get("/admin/auth/permission/").status_code == 404  # not in the admin at all
    assert state() == before


def test_the_grant_log_cannot_be_written_in_the_admin(site, dm, client_for):
    clinician = factories.make_user(roles.CLINICIAN, site)
    change = AccessChange.objects.filter(user=clinician).first()
    c = client_for(dm)
    before = state()
    assert c.get("/admin/edc/accesschange/").status_code == 200
    assert c.post(f"/admin/edc/accesschange/{change.pk}/change/", {"reason": "rewritten"}).status_code == 403
    assert c.post(f"/admin/edc/accesschange/{change.pk}/delete/", {"post": "yes"}).status_code == 403
    assert c.post("/admin/edc/accesschange/add/", {"user": dm.pk, "kind": "role"}).status_code == 403
    assert state() == before


def test_a_two_factor_reset_of_an_unblinded_account_is_refused_on_the_form(site, dm, client_for):
    pharmacist = factories.make_user(roles.PHARMACIST, site)
    factories.authenticator(pharmacist)
    c = client_for(dm)
    before = state()
    r = c.post("/admin/edc/twofactorreset/add/", {"user": pharmacist.pk, "reason": "Phone lost"})
    assert r.status_code == 200 and b"only the system administrator manages it" in r.content
    assert state() == before and not TwoFactorReset.objects.exists()


def test_the_obligation_policy_is_changed_only_with_a_reason_and_historied(site, dm, client_for):
    policy = ObligationPolicy.objects.create(code="pi_24h", label="PI within 24 h", recipient="pi",
                                             hours=24, remind_before_hours=4)
    url = f"/admin/safety/obligationpolicy/{policy.pk}/change/"
    data = {"code": "pi_24h", "label": "PI within 24 h", "recipient": "pi", "hours": 48,
            "remind_before_hours": 4, "active": "on"}
    c = client_for(dm)
    rows = policy.history.count()
    r = c.post(url, data)
    assert r.status_code == 200 and b"This field is required" in r.content
    policy.refresh_from_db()
    assert policy.hours == 24 and policy.history.count() == rows
    assert c.post(url, {**data, "reason_for_change": "Ethics committee asked for 48 h"}).status_code == 302
    policy.refresh_from_db()
    last = policy.history.order_by("-history_date").first()
    assert (policy.hours, last.history_user, last.history_change_reason) == (48, dm, "Ethics committee asked for 48 h")
    assert c.post(f"/admin/safety/obligationpolicy/{policy.pk}/delete/", {"post": "yes"}).status_code == 403
    assert c.get(f"/admin/safety/obligationpolicy/{policy.pk}/history/").status_code == 200


def test_an_external_contact_is_added_and_changed_with_a_reason(site, dm, client_for):
    c = client_for(dm)
    data = {"name": "New CRO desk", "organisation": "cro", "email": "desk@cro.example.org",
            "receives_unblinding": "on", "receives_sae": "on", "active": "on"}
    assert c.post("/admin/edc/externalcontact/add/", data).status_code == 200
    assert not ExternalContact.objects.exists() and not ExternalContact.history.exists()
    assert c.post("/admin/edc/externalcontact/add/", {**data, "reason_for_change": "CRO changed"}).status_code == 302
    contact = ExternalContact.objects.get()
    first = contact.history.get()
    assert (first.history_user, first.history_change_reason) == (dm, "CRO changed")
