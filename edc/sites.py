"""Site membership and site time: who may act on a site's participants, and what day it is there
(docs/ARCHITECTURE.md rule 6: sites are isolated; times are shown in the site's zone). Every service that
writes a participant's data asks `require_site_member` first."""
from datetime import date
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from edc.models import Site


def site_today(site: Site) -> date:
    """Today at the site, in the site's time zone."""
    return timezone.localdate(timezone=ZoneInfo(site.timezone))


# Users whose membership of a site object is already proven: the object was loaded by a query that
# filtered on that user's membership (the selectors' `site__staff=user`). It lives as long as the object,
# i.e. one request, so a save after such a lookup does not ask PostgreSQL the same question again.
PROVEN = "_edc_members_proven"


def note_member(user, site: Site) -> None:
    """Record that `site` was loaded through `user`'s membership (call only from such a query)."""
    site.__dict__.setdefault(PROVEN, set()).add(user.pk)


def require_site_member(user, site: Site) -> None:
    if user.pk is not None and user.pk in site.__dict__.get(PROVEN, ()):
        return
    if not user.sites.filter(pk=site.pk).exists():
        raise PermissionDenied(_("You do not work at this site."))
