"""The admin is for the data manager: people, sites, roles. Clinical records are not edited here."""
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from edc.forms.two_factor import TwoFactorResetForm
from edc.models import ExternalContact, Site, TwoFactorReset, User
from edc.services import two_factor


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "participant_prefix", "timezone")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class EdcUserAdmin(UserAdmin):
    fieldsets = UserAdmin.fieldsets + (("Sites", {"fields": ("sites", "language")}),)
    filter_horizontal = ("groups", "sites")
    list_display = ("username", "first_name", "last_name", "is_active", "has_authenticator", "last_login")

    def get_queryset(self, request):
        devices = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(_has_authenticator=Exists(devices))

    @admin.display(boolean=True, description=_("authenticator"), ordering="_has_authenticator")
    def has_authenticator(self, obj):
        return obj._has_authenticator

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: history keeps pointing at the person


@admin.register(ExternalContact)
class ExternalContactAdmin(admin.ModelAdmin):
    list_display = ("name", "organisation", "email", "language", "receives_unblinding", "receives_sae", "active")


@admin.register(TwoFactorReset)
class TwoFactorResetAdmin(admin.ModelAdmin):
    """Adding a reset removes the user's authenticator (edc.services.two_factor.reset_devices)."""

    form = TwoFactorResetForm
    list_display = ("reset_at", "user", "reset_by", "devices_removed", "reason")
    autocomplete_fields = ("user",)

    def save_model(self, request, obj, form, change):
        record = two_factor.reset_devices(obj.user, by=request.user, reason=obj.reason)
        obj.pk, obj.reset_by, obj.reset_at = record.pk, record.reset_by, record.reset_at
        obj.devices_removed = record.devices_removed

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# django-otp's own device admin shows and edits secret keys; here devices are only listed.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class AuthenticatorAdmin(admin.ModelAdmin):
    list_display = ("user", "confirmed", "created_at", "last_used_at", "throttling_failure_count")
    fields = ("user", "name", "confirmed", "created_at", "last_used_at", "throttling_failure_count")
    readonly_fields = fields
    search_fields = ("user__username",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
