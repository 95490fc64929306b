"""The SAE obligation policy table is edited in the admin with a typed reason (history: who, why)."""
from django.contrib import admin

from edc.admin import AuditedAdmin
from safety.models import ObligationPolicy


@admin.register(ObligationPolicy)
class ObligationPolicyAdmin(AuditedAdmin):
    list_display = ("code", "label", "recipient", "hours", "remind_before_hours", "active")
