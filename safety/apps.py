from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SafetyConfig(AppConfig):
    name = "safety"
    verbose_name = _("Safety")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from edc import extensions, roles
        from edc.services.notifications import register_still_needed
        from safety import panels
        from safety.services.alerts import still_needed

        # SAE alert e-mails are never abandoned while an obligation they concern is open
        register_still_needed("sae", still_needed)

        extensions.add_nav_link("safety_dashboard", _("Safety"), roles.SITE_STAFF, 30)
        extensions.add_participant_panel("safety/_participant_panel.html", panels.participant_panel, 30)
        extensions.add_home_card("safety/_home_card.html", panels.home_card, 1)  # first: deadlines
