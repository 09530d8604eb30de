"""The back office for the partitioned tables: the retention periods (the law's, kept as
data: changed here with their history, never added or removed, since the migration that
partitions a table seeds its row) and what maintenance did (read-only)."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from directory.admin.parts import LanguageOfPartsMixin
from directory.partitions.models import PartitionEvent, RetentionPeriod


@admin.register(RetentionPeriod)
class RetentionPeriodAdmin(LanguageOfPartsMixin, SimpleHistoryAdmin):
    list_display = ["table", "months", "legal_basis"]
    readonly_fields = ["table"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PartitionEvent)
class PartitionEventAdmin(admin.ModelAdmin):
    """Append-only, written by the maintenance job."""

    list_display = ["at", "table", "action", "partition", "rows", "retention_months"]
    list_filter = ["action", "table"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
