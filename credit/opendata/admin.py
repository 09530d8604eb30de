"""Open data events and the daily CSV files in the back office: read-only, they are what the
public was told (a day's files show which build replaced which, and when each was discarded)."""

from __future__ import annotations

from django.contrib import admin

from credit.opendata.models import OpenDataDay, OpenDataDayFile, OpenDataEvent
from directory.admin.parts import ReadOnlyAdmin, ReadOnlyInline


@admin.register(OpenDataEvent)
class OpenDataEventAdmin(ReadOnlyAdmin):
    list_display = ["leaf_index", "kind", "subject", "effective_on", "created_at"]
    list_select_related = ["subject"]
    list_filter = ["kind"]


class OpenDataDayFileInline(ReadOnlyInline):
    model = OpenDataDayFile
    fk_name = "day"
    fields = [
        "sha256",
        "size",
        "built_at",
        "built_through",
        "replaces",
        "discarded_at",
        "purged_at",
    ]
    readonly_fields = fields


@admin.register(OpenDataDay)
class OpenDataDayAdmin(ReadOnlyAdmin):
    list_display = ["day", "current"]
    list_select_related = ["current"]
    inlines = [OpenDataDayFileInline]
