"""Record change notices in the back office: read-only, the outbox of who must hear of a change."""

from __future__ import annotations

from django.contrib import admin

from credit.changes.models import ChangeSubscription, RecordChangeNotice
from directory.admin.parts import ReadOnlyAdmin


@admin.register(RecordChangeNotice)
class RecordChangeNoticeAdmin(ReadOnlyAdmin):
    list_display = ["breach", "calling_system", "change", "created_at", "delivered_at"]
    list_select_related = ["breach", "calling_system"]
    list_filter = ["change"]


@admin.register(ChangeSubscription)
class ChangeSubscriptionAdmin(ReadOnlyAdmin):
    """Which calling systems hear of which changes: the systems manage it through the API."""

    list_display = ["calling_system", "scope", "endpoint", "updated_at"]
    list_select_related = ["calling_system", "endpoint"]
    list_filter = ["scope"]
