"""Roles as Django groups, created idempotently after every migrate."""
from django.conf import settings
from django.contrib.auth.models import Group, Permission

from edc import roles
from edc.services.grants import log_setup

# Accounts, roles and sites are changed only through edc.services.grants (the access-control page);
# the admin shows them read-only (edc.admin). docs/ACCESS_CONTROL.md
DATA_MANAGER_PERMISSIONS = [
    ("edc", "site", ("add", "change", "view")),
    ("edc", "historicalsite", ("view",)),
    ("edc", "user", ("view",)),
    ("edc", "historicaluser", ("view",)),
    ("edc", "accesschange", ("view",)),
    ("auth", "group", ("view",)),
    ("edc", "externalcontact", ("add", "change", "view")),
    ("edc", "historicalexternalcontact", ("view",)),
    ("safety", "obligationpolicy", ("add", "change", "view")),
    ("safety", "historicalobligationpolicy", ("view",)),
    ("axes", "accessattempt", ("view", "delete")),
    ("edc", "twofactorreset", ("add", "view")),  # resets a lost authenticator, with a reason
    ("otp_totp", "totpdevice", ("view",)),
]


def ensure_roles() -> dict[str, Group]:
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in roles.ALL_ROLES}
    wanted = []
    for app_label, model, actions in DATA_MANAGER_PERMISSIONS:
        wanted += Permission.objects.filter(content_type__app_label=app_label,
                                            content_type__model=model,
                                            codename__in=[f"{a}_{model}" for a in actions])
    # set, not add: a permission removed here (or added by hand in an old admin) is withdrawn
    for name, group in groups.items():
        group.permissions.set(wanted if name == roles.DATA_MANAGER else [])
    return groups


def create_user(*, username: str, password: str, role: str, sites, first_name: str = "",
                last_name: str = "", email: str = ""):
    from edc.models import User

    user = User.objects.create_user(username=username, password=password, first_name=first_name,
                                    last_name=last_name, email=email,
                                    is_staff=role == roles.DATA_MANAGER)
    user.groups.add(Group.objects.get(name=role))
    user.sites.add(*sites)
    log_setup(user, role, sites)  # set-up on the server is logged like the access command
    return user


def remember_language(user, language: str) -> None:
    """The language of this person's notices. A change of an account, so it is kept in the account's
    history like every other (who, when, why: docs/ACCESS_CONTROL.md "The access-control page"); an unchanged
    choice writes nothing."""
    from edc.models import User

    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"unknown language {language!r}")
    person = User.objects.get(pk=user.pk)
    if person.language == language:
        return
    person.language = language
    person._history_user = user
    person._change_reason = "language preference"
    person.save(update_fields=["language"])
    user.language = language
