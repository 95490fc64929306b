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
        self._guard_locks()
        extensions.add_nav_link("worklist", _("Worklist"), roles.SITE_STAFF, 10)
        extensions.add_nav_link("visit_calendar", _("Calendar"), roles.SITE_STAFF, 11)
        extensions.add_nav_link("query_list", _("Queries"), roles.SITE_STAFF, 12)
        extensions.add_nav_link("database_lock", _("Database lock"), {roles.DATA_MANAGER}, 90)
        extensions.add_participant_panel("crf/_participant_panel.html", panels.participant_panel, 20)
        extensions.add_home_card("crf/_home_card.html", panels.home_card, 5)
        from crf import lifecycle
        extensions.set_lifecycle_rule(lifecycle.annotate_lifecycle, lifecycle.CHOICES)
        extensions.add_home_card("crf/_lifecycle_card.html", panels.lifecycle_card, 4)

    def _guard_locks(self):
        """Locks are honoured by every write: the audited services ask first (edc.audit), and a
        pre_save backstop refuses any other write to a clinical record."""
        from django.apps import apps
        from django.db.models.signals import pre_save

        from crf.services.locks import backstop, lock_guard
        from edc.audit import WRITE_GUARDS
        from edc.models import ClinicalModel

        if lock_guard not in WRITE_GUARDS:
            WRITE_GUARDS.append(lock_guard)
        for model in apps.get_models():
            if issubclass(model, ClinicalModel):
                pre_save.connect(backstop, sender=model, dispatch_uid=f"lock-backstop-{model._meta.label}")
