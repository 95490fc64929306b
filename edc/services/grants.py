"""The one audited way to give or withdraw access (docs/ACCESS_CONTROL.md; ARCHITECTURE rule 7).

Every role, site membership, the code-break permission (protocol 2.8.2), staff and superuser
status, an account's activation and a password reset go through here, and each leaves a row in the
append-only grant log (`AccessChange`): who, to whom, what, when and why.

Segregation of duties (ICH E6(R3) 4.2; ASVS 4.3.3) is enforced here, not by hiding buttons:
- nobody changes their own access;
- in the application only a data manager changes access, and only for blinded, non-staff accounts
  at the data manager's own sites, and only with blinded roles;
- the unblinded roles, the data manager role, staff, superuser and the code-break permission, and
  every account that holds one of them, are managed only by the system administrator, on the server
  (`manage.py access`, which passes `SystemAdministrator` as `by`).
"""
import getpass
import socket
from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from edc import roles
from edc.access import user_roles
from edc.audit import REASON_MAX_LENGTH
from edc.models import AccessChange, Site, User

Kind = AccessChange.Kind
Action = AccessChange.Action
CODE_BREAK_PERMISSION = ("edc", "break_code")
# Exports hold the user's sites unless this direct grant says every site (exports/scope.py).
TRIAL_WIDE_EXPORT_PERMISSION = ("exports", "export_trial_wide")
MIN_REASON = 5

# Roles the application can never hand out: they see arms or administer people.
SYSTEM_ONLY_ROLES = roles.UNBLINDED_ROLES | {roles.DATA_MANAGER}
GRANTABLE_ROLES = tuple(r for r in roles.ALL_ROLES if r not in SYSTEM_ONLY_ROLES)


@dataclass(frozen=True)
class SystemAdministrator:
    """The person at the server's command line (`manage.py access`), named by OS account and host."""

    label: str = ""

    @classmethod
    def here(cls) -> "SystemAdministrator":
        return cls(f"system administrator ({getpass.getuser()}@{socket.gethostname()})")


SETUP = SystemAdministrator("system set-up (demo loader, synthetic data)")


def log_setup(user, role: str | None, sites) -> None:
    """The grant-log rows of an account made by server-side set-up (demo loader, tests, synthetic
    data), which creates people directly: logged as done on the server. `role=None`: sites only."""
    grants = [(Kind.ACCOUNT, user.username), (Kind.ROLE, role)] if role else []
    now = timezone.now()  # set here too: the synthetic loader switches auto_now_add off
    AccessChange.objects.bulk_create(
        [AccessChange(user=user, kind=kind, action=Action.GRANT, value=value, changed_by_label=SETUP.label,
                      reason="Account set up on the server", changed_at=now)
         for kind, value in grants + [(Kind.SITE, s.code) for s in sites]])


def is_system(by) -> bool:
    return isinstance(by, SystemAdministrator)


def holds_code_break(user) -> bool:
    """The code-break permission is a direct grant (never a role's, never implied by superuser)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    app_label, codename = CODE_BREAK_PERMISSION
    return user.user_permissions.filter(content_type__app_label=app_label, codename=codename).exists()


def is_protected(user) -> bool:
    """Accounts only the system administrator manages: they could reach an arm or grant access."""
    return (user.is_staff or user.is_superuser or bool(user_roles(user) & SYSTEM_ONLY_ROLES)
            or holds_code_break(user))


def may_use_access_page(user) -> bool:
    return bool(user_roles(user) & {roles.DATA_MANAGER})


def authorize(by, user, kind: str, value: str = "") -> None:
    """Raise PermissionDenied with a clear message unless `by` may make this change to `user`."""
    if is_system(by):
        return
    if not (getattr(by, "is_authenticated", False) and by.is_active and may_use_access_page(by)):
        raise PermissionDenied(_("Only a data manager may change access in the application."))
    if user.pk is not None and user.pk == by.pk:
        raise PermissionDenied(_("Nobody changes their own access: ask another data manager or the "
                                 "system administrator."))
    if kind in {Kind.CODE_BREAK, Kind.STAFF, Kind.SUPERUSER} or (kind == Kind.ROLE and value in SYSTEM_ONLY_ROLES):
        raise PermissionDenied(_("Only the system administrator may grant or withdraw unblinded roles, "
                                 "the data manager role, staff, superuser or the code-break permission "
                                 "(manage.py access on the server)."))
    if user.pk is not None and is_protected(user):
        raise PermissionDenied(_("This account holds an unblinded role, staff or the code-break "
                                 "permission: only the system administrator manages it."))
    if kind == Kind.SITE and not by.sites.filter(code=value).exists():
        raise PermissionDenied(_("You may grant only the sites you belong to."))


def clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise ValidationError({"reason": _("Give a reason for this change (at least %(n)d characters).")
                               % {"n": MIN_REASON}})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": _("Keep the reason under %(n)d characters.") % {"n": REASON_MAX_LENGTH}})
    return reason


def _log(user, kind, action, value, by, reason) -> AccessChange:
    return AccessChange.objects.create(
        user=user, kind=kind, action=action, value=value, reason=reason,
        changed_by=None if is_system(by) else by,
        changed_by_label=by.label if is_system(by) else by.get_username())


def _save_user(user, by, reason, fields) -> None:
    """Save account fields with a history row that names who and why."""
    user._history_user = None if is_system(by) else by
    user._change_reason = reason if not is_system(by) else f"{reason} [{by.label}]"
    user.save(update_fields=fields)


def _begin(by, user, kind, value, reason) -> str:
    reason = clean_reason(reason)
    authorize(by, user, kind, value)
    return reason


def _lock(user, by, kind, value=""):
    """The account row locked for this change, the rules checked again on what is stored now (a
    concurrent grant by the system administrator may have made the account protected)."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    authorize(by, locked, kind, value)
    return locked


def grant_role(user, role: str, *, by, reason: str) -> AccessChange | None:
    if role not in roles.ALL_ROLES:
        raise ValidationError({"role": _("Unknown role.")})
    reason = _begin(by, user, Kind.ROLE, role, reason)
    with transaction.atomic():
        locked = _lock(user, by, Kind.ROLE, role)
        if locked.groups.filter(name=role).exists():
            return None
        locked.groups.add(Group.objects.get(name=role))
        return _log(user, Kind.ROLE, Action.GRANT, role, by, reason)


def revoke_role(user, role: str, *, by, reason: str) -> AccessChange | None:
    reason = _begin(by, user, Kind.ROLE, role, reason)
    with transaction.atomic():
        locked = _lock(user, by, Kind.ROLE, role)
        group = locked.groups.filter(name=role).first()
        if group is None:
            return None
        locked.groups.remove(group)
        return _log(user, Kind.ROLE, Action.REVOKE, role, by, reason)


def grant_site(user, site: Site, *, by, reason: str) -> AccessChange | None:
    reason = _begin(by, user, Kind.SITE, site.code, reason)
    with transaction.atomic():
        locked = _lock(user, by, Kind.SITE, site.code)
        if locked.sites.filter(pk=site.pk).exists():
            return None
        locked.sites.add(site)
        return _log(user, Kind.SITE, Action.GRANT, site.code, by, reason)


def revoke_site(user, site: Site, *, by, reason: str) -> AccessChange | None:
    reason = _begin(by, user, Kind.SITE, site.code, reason)
    with transaction.atomic():
        locked = _lock(user, by, Kind.SITE, site.code)
        if not locked.sites.filter(pk=site.pk).exists():
            return None
        locked.sites.remove(site)
        return _log(user, Kind.SITE, Action.REVOKE, site.code, by, reason)


def _code_break_permission() -> Permission:
    app_label, codename = CODE_BREAK_PERMISSION
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def set_code_break(user, allowed: bool, *, by, reason: str) -> AccessChange | None:
    """Give or withdraw the code-break permission (protocol 2.8.2). System administrator only."""
    reason = _begin(by, user, Kind.CODE_BREAK, "", reason)
    with transaction.atomic():
        locked = _lock(user, by, Kind.CODE_BREAK, "")
        if holds_code_break(locked) == allowed:
            return None
        if allowed:
            if not user_roles(locked) & roles.INVESTIGATORS:
                raise ValidationError(_("Only an investigator (clinician or PI) may hold the code-break "
                                        "permission."))
            locked.user_permissions.add(_code_break_permission())
        else:
            locked.user_permissions.remove(_code_break_permission())
        return _log(user, Kind.CODE_BREAK, Action.GRANT if allowed else Action.REVOKE, "", by, reason)


def set_trial_wide_export(user, allowed: bool, *, by, reason: str) -> AccessChange | None:
    """Let `user` export every site's participants (blinded data), or take it back."""
    reason = _begin(by, user, Kind.TRIAL_WIDE_EXPORT, "", reason)
    app_label, codename = TRIAL_WIDE_EXPORT_PERMISSION
    permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)
    with transaction.atomic():
        locked = _lock(user, by, Kind.TRIAL_WIDE_EXPORT, "")
        if locked.user_permissions.filter(pk=permission.pk).exists() == allowed:
            return None
        (locked.user_permissions.add if allowed else locked.user_permissions.remove)(permission)
        return _log(user, Kind.TRIAL_WIDE_EXPORT, Action.GRANT if allowed else Action.REVOKE, "", by, reason)


def _set_flag(user, field: str, kind: str, value: bool, *, by, reason: str) -> AccessChange | None:
    reason = _begin(by, user, kind, "", reason)
    with transaction.atomic():
        locked = _lock(user, by, kind, "")
        if getattr(locked, field) == value:
            return None
        setattr(locked, field, value)
        _save_user(locked, by, reason, [field])
        return _log(user, kind, Action.GRANT if value else Action.REVOKE, "", by, reason)


def set_staff(user, value: bool, *, by, reason: str):
    return _set_flag(user, "is_staff", Kind.STAFF, value, by=by, reason=reason)


def set_superuser(user, value: bool, *, by, reason: str):
    return _set_flag(user, "is_superuser", Kind.SUPERUSER, value, by=by, reason=reason)


def set_active(user, value: bool, *, by, reason: str):
    return _set_flag(user, "is_active", Kind.ACCOUNT, value, by=by, reason=reason)


def set_password(user, password: str, *, by, reason: str) -> AccessChange:
    reason = _begin(by, user, Kind.PASSWORD, "", reason)
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages})
    with transaction.atomic():
        locked = _lock(user, by, Kind.PASSWORD, "")
        locked.set_password(password)
        _save_user(locked, by, reason, ["password"])
        return _log(user, Kind.PASSWORD, Action.RESET, "", by, reason)


def log_authenticator_reset(user, *, by, reason: str) -> AccessChange:
    """Called by edc.services.two_factor.reset_devices after `authorize(by, user, AUTHENTICATOR)`."""
    return _log(user, Kind.AUTHENTICATOR, Action.RESET, "", by, reason)


def create_account(*, by, username: str, password: str, role: str, sites, reason: str,
                   first_name: str = "", last_name: str = "", email: str = "") -> User:
    """A new account with one role and its sites; each grant is logged like any other."""
    reason = clean_reason(reason)
    new = User(username=username, first_name=first_name, last_name=last_name, email=email)
    authorize(by, new, Kind.ACCOUNT)
    authorize(by, new, Kind.ROLE, role)
    for site in sites:
        authorize(by, new, Kind.SITE, site.code)
    errors = {}
    if role not in roles.ALL_ROLES:
        errors["role"] = _("Unknown role.")
    try:
        new.full_clean(exclude=["password"])
    except ValidationError as error:
        errors.update(error.message_dict)
    if "username" not in errors and User.objects.filter(username__iexact=username).exists():
        errors["username"] = _("This user name is taken.")  # also in another letter case
    try:
        validate_password(password, new)
    except ValidationError as error:
        errors["password"] = error.messages
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        new.set_password(password)
        new._history_user = None if is_system(by) else by
        new._change_reason = reason
        new.save()
        _log(new, Kind.ACCOUNT, Action.GRANT, username, by, reason)
        if role == roles.DATA_MANAGER:  # the data manager works in the admin too (system only)
            _set_flag(new, "is_staff", Kind.STAFF, True, by=by, reason=reason)
        new.groups.add(Group.objects.get(name=role))
        _log(new, Kind.ROLE, Action.GRANT, role, by, reason)
        for site in sites:
            new.sites.add(site)
            _log(new, Kind.SITE, Action.GRANT, site.code, by, reason)
    return new
