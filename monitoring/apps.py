from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = _("Central monitoring")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from edc import extensions

        from .access import MONITORING_ROLES

        extensions.add_nav_link("monitoring_dashboard", _("Monitoring"), MONITORING_ROLES, 40)
