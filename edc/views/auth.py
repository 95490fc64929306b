"""Sign in and out. django-axes counts failures and locks after 5 (settings)."""
from django.contrib.auth import views as auth_views
from django.views.decorators.http import require_POST

from edc import roles
from edc.access import allow, public

login = public(auth_views.LoginView.as_view(template_name="edc/login.html",
                                            redirect_authenticated_user=True))
logout = allow(roles.EVERYONE)(require_POST(auth_views.LogoutView.as_view()))
