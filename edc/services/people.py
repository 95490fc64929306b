"""Roles as Django groups, created idempotently after every migrate (issue 2)."""
from django.contrib.auth.models import Group, Permission

from edc import roles

# The data manager administers people and sites in the admin; nobody edits clinical data there.
DATA_MANAGER_PERMISSIONS = [
    ("edc", "site", ("add", "change", "view")),
    ("edc", "user", ("add", "change", "view")),
    ("auth", "group", ("view",)),
    ("edc", "externalcontact", ("add", "change", "view")),
    ("safety", "obligationpolicy", ("add", "change", "view")),
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
    groups[roles.DATA_MANAGER].permissions.add(*wanted)
    return groups


def create_user(*, username: str, password: str, role: str, sites, first_name: str = "",
                last_name: str = "", email: str = ""):
    from edc.models import User

    user = User.objects.create_user(username=username, password=password, first_name=first_name,
                                    last_name=last_name, email=email,
                                    is_staff=role == roles.DATA_MANAGER)
    user.groups.add(Group.objects.get(name=role))
    user.sites.add(*sites)
    return user


def remember_language(user, language: str) -> None:
    """The language of this person's notices (one column; not clinical data, not audited)."""
    from edc.models import User

    User.objects.filter(pk=user.pk).update(language=language)
