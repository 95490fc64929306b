from django.apps import AppConfig


class CrfConfig(AppConfig):
    name = "crf"
    default_auto_field = "django.db.models.BigAutoField"
