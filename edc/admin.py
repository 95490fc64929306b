"""The admin is for the data manager: people, sites, roles. Clinical records are not edited here."""
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from edc.models import ExternalContact, Site, User


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "participant_prefix", "timezone")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class EdcUserAdmin(UserAdmin):
    fieldsets = UserAdmin.fieldsets + (("Sites", {"fields": ("sites",)}),)
    filter_horizontal = ("groups", "sites")
    list_display = ("username", "first_name", "last_name", "is_active", "last_login")

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: history keeps pointing at the person


@admin.register(ExternalContact)
class ExternalContactAdmin(admin.ModelAdmin):
    list_display = ("name", "organisation", "email", "receives_unblinding", "receives_sae", "active")
