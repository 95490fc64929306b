"""The grant service (docs/ACCESS_CONTROL.md): one audited way to give or withdraw access, with
segregation of duties enforced in the service. Each refusal: a clear message, nothing changed."""
import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from edc import roles
from edc.models import AccessChange, TwoFactorReset, User
from edc.services import grants, two_factor
from tests import factories

pytestmark = pytest.mark.django_db
SYSADMIN = grants.SystemAdministrator("test system administrator")
REASON = "Joined the study team"


@pytest.fixture
def dm(site):
    return factories.make_user(roles.DATA_MANAGER, site)


def snapshot():
    """Everything a grant could change: memberships, permissions, flags, passwords, the log."""
    return (list(User.groups.through.objects.order_by("pk").values_list("user_id", "group_id")),
            list(User.sites.through.objects.order_by("pk").values_list("user_id", "site_id")),
            list(User.user_permissions.through.objects.order_by("pk").values_list("user_id", "permission_id")),
            list(User.objects.order_by("pk").values_list("is_staff", "is_superuser", "is_active", "password")),
            AccessChange.objects.count(), User.history.count(), TOTPDevice.objects.count())


# --- bad input: refused with a clear message, nothing changed ---

@pytest.mark.parametrize("change", [
    lambda u: grants.grant_role(u, roles.STATISTICIAN, by=u, reason=REASON),
    lambda u: grants.revoke_role(u, roles.DATA_MANAGER, by=u, reason=REASON),
    lambda u: grants.grant_site(u, u.sites.first(), by=u, reason=REASON),
    lambda u: grants.set_password(u, "another-long-passphrase", by=u, reason=REASON),
    lambda u: two_factor.reset_devices(u, by=u, reason=REASON),
])
def test_nobody_changes_their_own_access(dm, change):
    factories.authenticator(dm)
    before = snapshot()
    with pytest.raises(PermissionDenied, match="Nobody changes their own access"):
        change(dm)
    assert snapshot() == before


@pytest.mark.parametrize("change", [
    lambda u, by: grants.grant_role(u, roles.RANDOMIZATION_ADMIN, by=by, reason=REASON),
    lambda u, by: grants.grant_role(u, roles.PHARMACIST, by=by, reason=REASON),
    lambda u, by: grants.grant_role(u, roles.DATA_MANAGER, by=by, reason=REASON),
    lambda u, by: grants.set_code_break(u, True, by=by, reason=REASON),
    lambda u, by: grants.set_staff(u, True, by=by, reason=REASON),
    lambda u, by: grants.set_superuser(u, True, by=by, reason=REASON),
])
def test_a_blinded_data_manager_cannot_grant_what_reaches_an_arm(site, dm, change):
    clinician = factories.make_user(roles.CLINICIAN, site)
    before = snapshot()
    with pytest.raises(PermissionDenied, match="Only the system administrator"):
        change(clinician, dm)
    assert snapshot() == before


@pytest.mark.parametrize("target_role", [roles.PHARMACIST, roles.RANDOMIZATION_ADMIN, roles.DATA_MANAGER])
@pytest.mark.parametrize("change", [
    lambda u, by: grants.grant_role(u, roles.MONITOR, by=by, reason=REASON),
    lambda u, by: grants.set_password(u, "a-new-long-passphrase-9", by=by, reason=REASON),
    lambda u, by: grants.set_active(u, False, by=by, reason=REASON),
    lambda u, by: two_factor.reset_devices(u, by=by, reason=REASON),
])
def test_no_blinded_role_resets_or_takes_over_a_protected_account(site, dm, target_role, change):
    target = factories.make_user(target_role, site)
    factories.authenticator(target)
    before = snapshot()
    with pytest.raises(PermissionDenied, match="only the system administrator manages it"):
        change(target, dm)
    assert snapshot() == before


def test_a_code_break_holder_is_protected_too(site, dm):
    """Else a data manager could reset the PI's password and authenticator and break the code."""
    pi = factories.grant_code_break(factories.make_user(roles.PRINCIPAL_INVESTIGATOR, site))
    factories.authenticator(pi)
    before = snapshot()
    for change in (lambda: grants.set_password(pi, "a-new-long-passphrase-9", by=dm, reason=REASON),
                   lambda: two_factor.reset_devices(pi, by=dm, reason=REASON)):
        with pytest.raises(PermissionDenied, match="only the system administrator"):
            change()
    assert snapshot() == before


def test_only_a_data_manager_changes_access_in_the_application(site):
    pi = factories.make_user(roles.PRINCIPAL_INVESTIGATOR, site)
    clinician = factories.make_user(roles.CLINICIAN, site)
    boss = User.objects.create_superuser("boss", "boss@example.org", factories.PASSWORD)
    before = snapshot()
    for by in (pi, boss):  # a superuser is no exception in the application
        with pytest.raises(PermissionDenied, match="Only a data manager"):
            grants.grant_role(clinician, roles.MONITOR, by=by, reason=REASON)
    assert snapshot() == before


def test_a_data_manager_grants_only_their_own_sites(site, other_site, dm):
    clinician = factories.make_user(roles.CLINICIAN, site)
    before = snapshot()
    with pytest.raises(PermissionDenied, match="only the sites you belong to"):
        grants.grant_site(clinician, other_site, by=dm, reason=REASON)
    assert snapshot() == before


@pytest.mark.parametrize("reason", ["", "   ", "ok", "x" * 501])
def test_a_reason_is_required(site, dm, reason):
    clinician = factories.make_user(roles.CLINICIAN, site)
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        grants.grant_role(clinician, roles.MONITOR, by=dm, reason=reason)
    assert "reason" in error.value.message_dict
    assert snapshot() == before


def test_a_weak_password_is_refused(site, dm):
    clinician = factories.make_user(roles.CLINICIAN, site)
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        grants.set_password(clinician, "short", by=dm, reason=REASON)
    assert "password" in error.value.message_dict
    assert snapshot() == before


def test_the_code_break_permission_goes_to_investigators_only(site):
    statistician = factories.make_user(roles.STATISTICIAN, site)
    before = snapshot()
    with pytest.raises(ValidationError, match="Only an investigator"):
        grants.set_code_break(statistician, True, by=SYSADMIN, reason=REASON)
    assert snapshot() == before


# --- what is allowed, and what it records ---

def test_a_data_manager_grants_and_withdraws_a_blinded_role_with_who_what_when_why(site, dm):
    clinician = factories.make_user(roles.CLINICIAN, site)
    change = grants.grant_role(clinician, roles.MONITOR, by=dm, reason=REASON)
    assert set(clinician.groups.values_list("name", flat=True)) == {roles.CLINICIAN, roles.MONITOR}
    assert (change.user, change.kind, change.value, change.action, change.changed_by, change.reason) == (
        clinician, "role", roles.MONITOR, "grant", dm, REASON)
    assert change.changed_at is not None and change.changed_by_label == dm.username
    assert grants.grant_role(clinician, roles.MONITOR, by=dm, reason=REASON) is None  # already so
    grants.revoke_role(clinician, roles.MONITOR, by=dm, reason="Left the monitoring team")
    assert list(clinician.groups.values_list("name", flat=True)) == [roles.CLINICIAN]
    assert list(AccessChange.objects.filter(user=clinician, kind="role", changed_by=dm)
                .values_list("action", flat=True)) == ["revoke", "grant"]


def test_a_password_reset_by_the_data_manager_is_in_the_user_history(site, dm):
    clinician = factories.make_user(roles.CLINICIAN, site)
    grants.set_password(clinician, "a-new-long-passphrase-9", by=dm, reason="Forgot the password")
    clinician.refresh_from_db()
    assert clinician.check_password("a-new-long-passphrase-9")
    last = clinician.history.order_by("-history_date").first()
    assert (last.history_user, last.history_change_reason) == (dm, "Forgot the password")


def test_the_system_administrator_manages_unblinded_accounts(site):
    clinician = factories.make_user(roles.CLINICIAN, site)
    grants.grant_role(clinician, roles.PHARMACIST, by=SYSADMIN, reason="Moved to the pharmacy")
    grants.set_staff(clinician, True, by=SYSADMIN, reason="Needs the admin")
    change = AccessChange.objects.filter(user=clinician).first()
    assert change.changed_by is None and change.changed_by_label == SYSADMIN.label
    clinician.refresh_from_db()
    history = clinician.history.order_by("-history_date").first()
    assert history.is_staff and SYSADMIN.label in history.history_change_reason
    factories.authenticator(clinician)
    record = two_factor.reset_devices(clinician, by=SYSADMIN, reason="Phone lost")
    assert record.reset_by is None and not TOTPDevice.objects.filter(user=clinician).exists()
    assert AccessChange.objects.filter(user=clinician, kind="authenticator", action="reset").exists()


def test_the_data_manager_resets_a_blinded_users_authenticator(site, dm):
    clinician = factories.make_user(roles.CLINICIAN, site)
    factories.authenticator(clinician)
    two_factor.reset_devices(clinician, by=dm, reason="Phone lost on the ward")
    assert TwoFactorReset.objects.get().reset_by == dm
    assert AccessChange.objects.filter(user=clinician, kind="authenticator", changed_by=dm).count() == 1


def test_a_new_account_logs_each_grant(site, dm):
    user = grants.create_account(by=dm, username="new.nurse", password="a-long-passphrase-77",
                                 role=roles.COORDINATOR, sites=[site], reason="New study nurse")
    assert set(AccessChange.objects.filter(user=user).values_list("kind", "value")) == {
        ("account", "new.nurse"), ("role", roles.COORDINATOR), ("site", site.code)}
    assert user.history.get().history_user == dm


def test_a_new_account_cannot_carry_an_unblinded_role_from_the_application(site, dm):
    before = snapshot()
    with pytest.raises(PermissionDenied, match="Only the system administrator"):
        grants.create_account(by=dm, username="new.pharm", password="a-long-passphrase-77",
                              role=roles.PHARMACIST, sites=[site], reason="New pharmacist")
    assert snapshot() == before and not User.objects.filter(username="new.pharm").exists()


def test_the_grant_log_is_append_only_in_the_database(site, dm):
    clinician = factories.make_user(roles.CLINICIAN, site)
    change = grants.grant_role(clinician, roles.MONITOR, by=dm, reason=REASON)
    for statement in ("UPDATE edc_accesschange SET reason = 'rewritten' WHERE id = %s",
                      "DELETE FROM edc_accesschange WHERE id = %s"):
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement, [change.pk])
    change.refresh_from_db()
    assert change.reason == REASON


def test_a_sign_in_adds_no_account_history_row(site):
    clinician = factories.make_user(roles.CLINICIAN, site)
    rows = clinician.history.count()
    r = Client().post(reverse("login"), {"username": clinician.username, "password": factories.PASSWORD})
    assert r.status_code == 302
    clinician.refresh_from_db()
    assert clinician.last_login is not None and clinician.history.count() == rows


def test_roles_are_groups_whose_permissions_are_set_in_code(dm):
    perms = set(Group.objects.get(name=roles.DATA_MANAGER).permissions.values_list("codename", flat=True))
    assert {"view_user", "view_group", "view_accesschange"} <= perms
    assert not perms & {"add_user", "change_user", "delete_user", "change_group", "add_group",
                        "change_permission", "change_totpdevice", "break_code"}


def test_trial_wide_export_is_a_logged_grant_never_a_self_grant(site, dm):
    from exports.scope import export_sites

    statistician = factories.make_user(roles.STATISTICIAN, site)
    assert export_sites(statistician) == [site.pk]
    before = snapshot()
    with pytest.raises(PermissionDenied, match="Nobody changes their own access"):
        grants.set_trial_wide_export(dm, True, by=dm, reason="I want every site")
    assert snapshot() == before
    change = grants.set_trial_wide_export(statistician, True, by=dm, reason="Pooled interim analysis")
    assert change.kind == "trial_wide_export" and change.changed_by == dm
    assert export_sites(User.objects.get(pk=statistician.pk)) is None
    grants.set_trial_wide_export(statistician, False, by=dm, reason="Interim analysis done")
    assert export_sites(User.objects.get(pk=statistician.pk)) == [site.pk]
