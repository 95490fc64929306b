from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrfConfig(AppConfig):
    name = "crf"
    verbose_name = _("Visits and eCRFs")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from crf import (
            forms_registry,  # noqa: F401 - registers every eCRF
            panels,
        )
        from crf.services.visits import create_visits
        from edc import extensions, roles
        from randomization.hooks import after_randomize

        after_randomize(create_visits)
        extensions.add_nav_link("worklist", _("Worklist"), roles.SITE_STAFF, 10)
        extensions.add_nav_link("visit_calendar", _("Calendar"), roles.SITE_STAFF, 11)
        extensions.add_participant_panel("crf/_participant_panel.html", panels.participant_panel, 20)
        extensions.add_home_card("crf/_home_card.html", panels.home_card, 5)
