from django.apps import AppConfig


class RandomizationConfig(AppConfig):
    name = "randomization"
    default_auto_field = "django.db.models.BigAutoField"
