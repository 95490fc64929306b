from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LabsConfig(AppConfig):
    """Lab results from the hospital's laboratory system (docs/LAB_IMPORT.md). To the right of crf:
    lab values are written only through crf's save path (crf.services.entry.save_crf)."""

    name = "labs"
    verbose_name = _("Lab import")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from edc import extensions, roles

        from . import panels
        extensions.add_nav_link("lab_batches", _("Lab import"), {roles.DATA_MANAGER}, order=65)
        extensions.add_participant_panel("labs/_participant_panel.html", panels.participant_panel, order=35)
        extensions.add_crf_form_panel("labs/_crf_sources.html", panels.crf_sources, order=10)
