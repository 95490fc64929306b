"""Reads for the access-control page (docs/ACCESS_CONTROL.md): who holds what, and the grant log."""
from dataclasses import dataclass

from django.db.models import Q

from edc import roles
from edc.models import AccessChange, User
from edc.services.grants import CODE_BREAK_PERMISSION, SYSTEM_ONLY_ROLES


@dataclass(frozen=True)
class AccountRow:
    user: User
    role_names: tuple[str, ...]
    role_labels: tuple[str, ...]
    site_codes: tuple[str, ...]
    code_break: bool

    @property
    def system_managed(self) -> bool:
        """Managed only by the system administrator (edc.services.grants.is_protected)."""
        u = self.user
        return u.is_staff or u.is_superuser or self.code_break or bool(set(self.role_names) & SYSTEM_ONLY_ROLES)


def visible_users(viewer):
    """People who share a site with the viewer, and accounts with no site yet."""
    return (User.objects.filter(Q(sites__in=viewer.sites.all()) | Q(sites=None)).distinct()
            .order_by("username"))


def accounts(viewer, pk=None) -> list[AccountRow]:
    """One row per visible account, in three queries whatever the number of people."""
    users = visible_users(viewer)
    if pk is not None:
        users = users.filter(pk=pk)
    users = list(users.prefetch_related("groups", "sites", "user_permissions__content_type"))
    app_label, codename = CODE_BREAK_PERMISSION
    rows = []
    for u in users:
        names = tuple(sorted(g.name for g in u.groups.all()))
        rows.append(AccountRow(
            user=u, role_names=names, role_labels=tuple(str(roles.LABELS.get(n, n)) for n in names),
            site_codes=tuple(s.code for s in u.sites.all()),
            code_break=u.is_active and any(p.codename == codename and p.content_type.app_label == app_label
                                           for p in u.user_permissions.all())))
    return rows


def grant_log(viewer, user=None, limit: int = 200):
    changes = AccessChange.objects.select_related("user")
    if user is not None:
        return changes.filter(user=user)[:limit]
    return changes.filter(user__in=visible_users(viewer))[:limit]
