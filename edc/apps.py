from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EdcConfig(AppConfig):
    name = "edc"
    verbose_name = _("Trial core")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_migrate

        from edc import db_role  # noqa: F401  (registers the deploy check edc.W001)

        post_migrate.connect(_ensure_roles, sender=self)
        post_migrate.connect(_guard_history_tables, sender=self)
        user_logged_in.connect(_remember_site_timezone)


def _ensure_roles(**kwargs):
    from edc.services.people import ensure_roles

    ensure_roles()


def _guard_history_tables(using="default", **kwargs):
    from edc.append_only import install_all

    install_all(using=using)


def _remember_site_timezone(sender, request, user, **kwargs):
    site = user.sites.order_by("code").first()
    if site is not None:
        request.session["edc_tz"] = site.timezone
