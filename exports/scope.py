"""Which sites' participants an export may hold (docs/ARCHITECTURE.md rule 6; docs/BLINDING.md "Export scope").

A user exports the participants of the sites they belong to. Exporting every site is an explicit grant:
the permission `exports.export_trial_wide` (held directly or through a group), given and taken back
through the audited grant service like any role; no role carries it by default. This module is the one
place exports ask; it answers in one query.
"""
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Exists, OuterRef, Q

APP, CODENAME = "exports", "export_trial_wide"
TRIAL_WIDE = f"{APP}.{CODENAME}"


def export_sites(user) -> list[int] | None:
    """None: trial-wide (the user holds the grant, or is a superuser); otherwise the ids of the user's
    sites (maybe none)."""
    if not user.is_active:
        return []
    if user.is_superuser:
        return None
    grant = Permission.objects.filter(codename=CODENAME, content_type__app_label=APP).filter(
        Q(user=OuterRef("pk")) | Q(group__user=OuterRef("pk")))
    trial_wide, sites = (get_user_model().objects.filter(pk=user.pk)
                         .annotate(trial_wide=Exists(grant),
                                   site_ids=ArrayAgg("sites__pk", filter=Q(sites__isnull=False), default=[]))
                         .values_list("trial_wide", "site_ids").get())
    return None if trial_wide else sorted(sites)


def in_scope(qs, sites: list[int] | None, path: str = "participant__site_id"):
    """`qs` limited to `sites` (None: unchanged); `path` leads from the rows to their site id."""
    return qs if sites is None else qs.filter(**{f"{path}__in": sites})
