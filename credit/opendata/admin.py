"""Open data events in the back office: read-only, they are what the public was told."""

from __future__ import annotations

from django.contrib import admin

from credit.opendata.models import OpenDataEvent
from directory.admin.parts import ReadOnlyAdmin


@admin.register(OpenDataEvent)
class OpenDataEventAdmin(ReadOnlyAdmin):
    list_display = ["leaf_index", "kind", "subject", "effective_on", "created_at"]
    list_select_related = ["subject"]
    list_filter = ["kind"]
