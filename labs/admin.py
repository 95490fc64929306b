"""Admin for the data manager: saved CSV/XLSX column layouts (configuration, history kept, as the
laboratory reference ranges in crf.admin) and the laboratory interface tokens (revoke only). The
code mapping is edited on its own page, where every change needs a reason (labs.views.mappings)."""
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from labs.models import ColumnMapping, InterfaceToken


@admin.register(ColumnMapping)
class ColumnMappingAdmin(SimpleHistoryAdmin):
    list_display = ("name",)

    def has_delete_permission(self, request, obj=None):
        return False  # batches name the mapping they were read with


@admin.register(InterfaceToken)
class InterfaceTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "created_at", "revoked_at")
    readonly_fields = ("user", "key_sha256", "created_at")

    def has_add_permission(self, request):
        return False  # issued by `manage.py lab_token USER`, which prints the key once

    def has_delete_permission(self, request, obj=None):
        return False
