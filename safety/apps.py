from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SafetyConfig(AppConfig):
    name = "safety"
    verbose_name = _("Safety")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from edc import extensions, roles
        from safety import panels

        extensions.add_nav_link("safety_dashboard", _("Safety"), roles.SITE_STAFF, 30)
        extensions.add_participant_panel("safety/_participant_panel.html", panels.participant_panel, 30)
