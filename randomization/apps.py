from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RandomizationConfig(AppConfig):
    name = "randomization"
    verbose_name = _("Randomization")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from edc import extensions, roles
        from randomization import panels

        extensions.add_nav_link("allocation_overview", _("Allocation"), {roles.RANDOMIZATION_ADMIN}, 20)
        extensions.add_nav_link("pharmacy_worklist", _("Pharmacy"), {roles.PHARMACIST}, 21)
        extensions.add_participant_panel("randomization/_participant_panel.html",
                                         panels.participant_panel, order=10)
        extensions.add_home_card("randomization/_home_card.html", panels.home_card, order=10)
