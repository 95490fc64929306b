"""The SAE obligation policy table is edited by the data manager in the admin (audited)."""
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from safety.models import ObligationPolicy


@admin.register(ObligationPolicy)
class ObligationPolicyAdmin(SimpleHistoryAdmin):
    list_display = ("code", "label", "recipient", "hours", "remind_before_hours", "active")

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead; existing obligations keep pointing at it
