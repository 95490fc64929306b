"""Admin for the data manager: the laboratory reference ranges (configuration, audited by history).
Clinical records are not edited here."""
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from crf.models.reference import ReferenceRange


@admin.register(ReferenceRange)
class ReferenceRangeAdmin(SimpleHistoryAdmin):
    list_display = ("analyte", "lower", "upper", "unit")
    ordering = ("analyte",)

    def has_delete_permission(self, request, obj=None):
        return False  # the SLEDAI-2K suggestions and the outlier checks need every analyte
