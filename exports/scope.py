"""Which sites' participants an export may hold (ARCHITECTURE.md rule 6; docs/BLINDING.md "Export scope").

A user exports the participants of the sites they belong to. Exporting every site is an explicit grant:
the permission `exports.export_trial_wide`, given (and taken back) through the audited grant service
like any role; nobody has it by virtue of a role. This is the one function exports ask.
"""
TRIAL_WIDE = "exports.export_trial_wide"


def export_sites(user) -> list[int] | None:
    """None: trial-wide (the user holds the grant); otherwise the ids of the user's sites (maybe none)."""
    if user.is_active and user.has_perm(TRIAL_WIDE):
        return None
    return sorted(user.sites.values_list("pk", flat=True))


def in_scope(qs, sites: list[int] | None, path: str = "participant__site_id"):
    """`qs` limited to `sites` (None: unchanged); `path` leads from the rows to their site id."""
    return qs if sites is None else qs.filter(**{f"{path}__in": sites})
