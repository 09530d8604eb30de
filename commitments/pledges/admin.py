"""The back office's view of tenders and bidding pledges: read-only, with their history.

A tender is announced by its tendering authority and a pledge changes only through the
services (pledged, released or breached, paid, listed), so nothing is added, edited or
deleted here.
"""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from commitments.pledges.models import BidPledge, Tender


class PledgeReadOnlyAdmin(SimpleHistoryAdmin):
    """Viewed, never added, changed or deleted here."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Tender)
class TenderAdmin(PledgeReadOnlyAdmin):
    list_display = ["reference", "title", "department", "bid_deadline", "deposit_amount"]
    list_select_related = ["department"]
    list_filter = ["department"]
    search_fields = ["reference", "title"]
    date_hierarchy = "bid_deadline"


@admin.register(BidPledge)
class BidPledgeAdmin(PledgeReadOnlyAdmin):
    list_display = ["id", "tender", "subject", "status", "pledged_at", "payment_due", "paid_on"]
    list_select_related = ["tender", "subject"]
    list_filter = ["status", "breach"]
    search_fields = ["tender__reference", "subject__name", "subject__code"]
    date_hierarchy = "pledged_at"
