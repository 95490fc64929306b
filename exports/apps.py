from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    name = "exports"
    verbose_name = _("Exports")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from edc import extensions, roles

        extensions.add_nav_link("export_home", _("Exports"), {roles.STATISTICIAN, roles.DATA_MANAGER}, 40)
        extensions.add_nav_link("export_release", _("Release arm"), {roles.RANDOMIZATION_ADMIN}, 41)
        extensions.add_nav_link("analysis_report", _("Report"), {roles.STATISTICIAN, roles.DATA_MANAGER,
                                                                 roles.PRINCIPAL_INVESTIGATOR}, 42)
