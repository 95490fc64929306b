"""Sign in and out. django-axes counts failures and locks after 5 (settings); the second step for
the roles that need it is edc.views.two_factor."""
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import JsonResponse
from django.views.decorators.http import require_GET, require_POST

from edc.access import public
from edc.middleware import touch

login = public(auth_views.LoginView.as_view(template_name="edc/login.html",
                                            redirect_authenticated_user=True))
# Public so that everyone can always leave, also before the second step and without any role.
logout = public(require_POST(auth_views.LogoutView.as_view()))


@public  # answers "not signed in" rather than sending an expired session to the sign-in page
@require_GET
def keepalive(request):
    """"Stay signed in" (edc/static/edc/session.js): says whether there is still a session to renew,
    and renews it in full now (other requests rewrite it at most every SESSION_TOUCH_SECONDS)."""
    if not request.user.is_authenticated:
        return JsonResponse({"signed_in": False})
    touch(request.session)
    return JsonResponse({"signed_in": True, "idle_seconds": settings.SESSION_COOKIE_AGE})
