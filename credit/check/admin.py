"""The back office for the calling systems (editable, with history) and the log of every
check (read-only: it is append-only)."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from credit.check.models import CallingSystem, CheckQuery
from credit.record.admin import ReadOnlyMixin


@admin.register(CallingSystem)
class CallingSystemAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "operator", "user", "is_active"]
    raw_id_fields = ["user"]


@admin.register(CheckQuery)
class CheckQueryAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """The append-only log has no simple-history table, so not ``SimpleHistoryAdmin`` (whose
    history page answered 500 for it): Django's own history page, which lists no change."""

    list_display = ["asked_at", "calling_system", "subject_code", "purpose", "matter_code"]
    list_select_related = ["calling_system"]
