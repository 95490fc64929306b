from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EdcConfig(AppConfig):
    name = "edc"
    verbose_name = _("Trial core")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_migrate

        # A sign-in writes last_login; it is not a change to the account, so it adds no history row.
        user_logged_in.disconnect(dispatch_uid="update_last_login")
        user_logged_in.connect(_update_last_login_without_history, dispatch_uid="edc_update_last_login")
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


def _update_last_login_without_history(sender, user, **kwargs):
    from django.utils import timezone

    user.last_login = timezone.now()
    user.skip_history_when_saving = True  # django-simple-history skips this save
    try:
        user.save(update_fields=["last_login"])
    finally:
        del user.skip_history_when_saving


def _remember_site_timezone(sender, request, user, **kwargs):
    site = user.sites.order_by("code").first()
    if site is not None:
        request.session["edc_tz"] = site.timezone
