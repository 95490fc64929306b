"""Sign in and out. django-axes counts failures and locks after 5 (settings); the second step for
the roles that need it is edc.views.two_factor."""
from django.contrib.auth import views as auth_views
from django.views.decorators.http import require_POST

from edc.access import public

login = public(auth_views.LoginView.as_view(template_name="edc/login.html",
                                            redirect_authenticated_user=True))
# Public so that everyone can always leave, also before the second step and without any role.
logout = public(require_POST(auth_views.LogoutView.as_view()))
