"""The home dashboard: what each role needs first."""
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import render

from edc import roles
from edc.access import allow, user_roles
from edc.charts import cumulative_line_svg
from edc.extensions import HOME_CARDS, render_panels
from edc.selectors.dashboard import recruitment
from edc.tasks import HEARTBEAT_KEY


@allow(roles.EVERYONE)
def home(request):
    figures = recruitment(request.user)
    chart = cumulative_line_svg(figures.by_month, target=figures.target)
    held = user_roles(request.user)
    # Which cards show is decided here from the role lists of edc.roles (the ones the views allow),
    # never by a role list written out in the template.
    shows = {"screening": bool(held & roles.DATA_ENTRY), "review": bool(held & roles.REVIEWERS),
             "system": roles.DATA_MANAGER in held, "statistics": roles.STATISTICIAN in held}
    return render(request, "edc/home.html", {
        "figures": figures, "chart": chart, "shows": shows,
        "cards": render_panels(HOME_CARDS, request),
    })


@allow({roles.DATA_MANAGER})
def system_status(request):
    return render(request, "edc/status.html", {"heartbeat": cache.get(HEARTBEAT_KEY)})


@allow(roles.EVERYONE)
def ping(request):
    """The cheapest signed-in page (session, user, roles, nothing else): the baseline the
    benchmarks compare real pages with (tests/bench), and a liveness probe for a signed-in user."""
    return HttpResponse("ok", content_type="text/plain")
