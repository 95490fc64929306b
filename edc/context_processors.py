"""What the base layout needs on every page: the user's roles and the navigation they may use."""
import time

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from edc import roles
from edc.access import may_open, user_roles
from edc.extensions import NAV_LINKS
from edc.two_factor import pending

DEMO_PREFIX = "DEMO-"  # screening numbers of the demo trial (crf/demo.py)
DEMO_KEY = "edc:demo-banner"

# (url name, label, roles that see the link)
NAVIGATION = [
    ("home", _("Home"), roles.EVERYONE),
    ("participant_list", _("Participants"), roles.SITE_STAFF),
    ("screening_new", _("New screening"), roles.DATA_ENTRY),
    ("access_overview", _("Access control"), frozenset({roles.DATA_MANAGER, roles.PRINCIPAL_INVESTIGATOR})),
]


def demo_banner(request):
    """The demo banner on every page while DEBUG and the demo trial is in the database
    (docs/DAILY_USE.md, "The demo trial"); the answer is cached a minute, so pages run no query."""
    if not settings.DEBUG:
        return {}
    from django.core.cache import cache

    shown = cache.get(DEMO_KEY)
    if shown is None:
        from edc.models import Participant

        shown = Participant.objects.filter(screening_number__startswith=DEMO_PREFIX).exists()
        cache.set(DEMO_KEY, shown, 60)
    return {"demo_banner": shown}


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    mine = user_roles(user)
    if pending(user):  # signed in with the password only: no links to pages it cannot open yet
        return {"nav_links": [], "two_factor_pending": True,
                "my_roles": [roles.LABELS[r] for r in roles.ALL_ROLES if r in mine]}
    # A link shows where the role list here includes the reader AND the view lets them in
    # (edc.access.may_open): the view's declaration is the rule, this list only picks the menu.
    links = [(reverse(name), label) for name, label, allowed in NAVIGATION
             if mine & allowed and may_open(user, name)]
    links += [(reverse(link.url_name), link.label) for link in NAV_LINKS
              if mine & link.roles and may_open(user, link.url_name)]
    from edc.models import Notification

    unread = Notification.objects.filter(recipient_user=user, read_at=None).count()
    return {
        "nav_links": links, "unread": unread,
        "my_roles": [roles.LABELS[r] for r in roles.ALL_ROLES if r in mine],
    }


def session(request):
    """The idle-timeout warning and the draft keys (edc/static/edc/session.js, drafts.js)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from django.conf import settings

    from edc.drafts import draft_keys
    from edc.middleware import SESSION_STARTED, idle_seconds_left

    now = time.time()
    started = request.session.get(SESSION_STARTED) or now
    return {
        "session_idle_seconds": idle_seconds_left(request.session, now),  # the idle deadline as stored
        "session_warn_seconds": min(settings.SESSION_WARN_SECONDS, settings.SESSION_COOKIE_AGE // 2),
        "session_absolute_left": max(0, int(started + settings.SESSION_ABSOLUTE_SECONDS - now)),
        "draft_keys": " ".join(draft_keys(user)),
    }
