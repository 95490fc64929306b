"""The admin cannot go around the grant rules (docs/ACCESS_CONTROL.md "The admin").

Users, groups (roles), permissions and authenticators are read-only here for everyone, superusers
included: accounts, roles, sites and the code-break permission change only through
`edc.services.grants` (the access-control page, or `manage.py access` on the server). A second-factor
reset is routed through `edc.services.two_factor.reset_devices`, which applies the same rules.
Tables that drive safety (external contacts here, the SAE obligation policy in safety.admin) and
sites are edited with a typed reason that goes into their history.
"""
from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from edc.audit import REASON_MAX_LENGTH, save_changed, save_created
from edc.forms.two_factor import TwoFactorResetForm
from edc.models import AccessChange, ExternalContact, Site, TwoFactorReset, User
from edc.services import grants, two_factor


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never written: no add, change or delete for anyone (superusers included)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReasonForm(forms.ModelForm):
    reason_for_change = forms.CharField(
        label=_("Reason for change"), max_length=REASON_MAX_LENGTH,
        help_text=_("Required; it goes into this table's history with your name."))


class AuditedAdmin(SimpleHistoryAdmin):
    """Every add and change carries a typed reason and goes through edc.audit (history: who, why)."""

    form = ReasonForm

    def save_model(self, request, obj, form, change):
        reason = form.cleaned_data["reason_for_change"]
        if change:
            save_changed(obj, request.user, reason)
        else:
            save_created(obj, request.user, reason)

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: history keeps pointing at it


@admin.register(Site)
class SiteAdmin(AuditedAdmin):
    list_display = ("code", "name", "participant_prefix", "timezone")


@admin.register(User)
class EdcUserAdmin(ReadOnlyAdmin, UserAdmin):
    """Read-only: the change, add and password pages answer 403 to every POST (and the password page
    to GET); the access-control page and `manage.py access` are the only ways to change an account."""

    fieldsets = UserAdmin.fieldsets + ((_("Sites"), {"fields": ("sites", "language")}),)
    list_display = ("username", "first_name", "last_name", "is_active", "has_authenticator", "last_login")

    def get_queryset(self, request):
        devices = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(_has_authenticator=Exists(devices))

    @admin.display(boolean=True, description=_("authenticator"), ordering="_has_authenticator")
    def has_authenticator(self, obj):
        return obj._has_authenticator


if admin.site.is_registered(Group):
    admin.site.unregister(Group)


@admin.register(Group)
class RoleAdmin(ReadOnlyAdmin):
    list_display = ("name",)
    fields = ("name",)  # a role's permissions are set in code (edc.services.people.ensure_roles)


@admin.register(AccessChange)
class AccessChangeAdmin(ReadOnlyAdmin):
    list_display = ("changed_at", "user", "action", "kind", "value", "changed_by_label", "reason")
    list_filter = ("kind", "action")
    search_fields = ("user__username", "changed_by_label", "value")


@admin.register(ExternalContact)
class ExternalContactAdmin(AuditedAdmin):
    list_display = ("name", "organisation", "email", "language", "receives_unblinding", "receives_sae", "active")


@admin.register(TwoFactorReset)
class TwoFactorResetAdmin(admin.ModelAdmin):
    """Adding a reset removes the user's authenticator (edc.services.two_factor.reset_devices), for
    the accounts the grant rules let this person manage; the refusal is shown on the form."""

    form = TwoFactorResetForm
    list_display = ("reset_at", "user", "reset_by", "devices_removed", "reason")
    autocomplete_fields = ("user",)

    def get_form(self, request, obj=None, change=False, **kwargs):
        base = super().get_form(request, obj, change=change, **kwargs)

        class CheckedForm(base):
            def clean(self):
                cleaned = super().clean()
                user = cleaned.get("user")
                if user is not None:
                    try:
                        grants.authorize(request.user, user, grants.Kind.AUTHENTICATOR)
                    except PermissionDenied as refusal:
                        raise ValidationError(str(refusal))
                return cleaned

        return CheckedForm

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
class AuthenticatorAdmin(ReadOnlyAdmin):
    list_display = ("user", "confirmed", "created_at", "last_used_at", "throttling_failure_count")
    fields = ("user", "name", "confirmed", "created_at", "last_used_at", "throttling_failure_count")
    readonly_fields = fields
    search_fields = ("user__username",)
