"""Switching language also remembers it for the person: their e-mails and in-app alerts are
written in it (docs/SAFETY_ALERTS.md, "Language")."""
from django.conf import settings
from django.views.i18n import set_language as django_set_language

from edc.access import public
from edc.services.people import remember_language


@public
def set_language(request):
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.method == "POST" and request.user.is_authenticated and language in dict(settings.LANGUAGES):
        remember_language(request.user, language)
    return response
