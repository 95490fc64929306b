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


def require_site_member(user, site: Site) -> None:
    if not user.sites.filter(pk=site.pk).exists():
        raise PermissionDenied(_("You do not work at this site."))
