"""Special credit reports in the back office: read-only (each is issued once, sealed)."""

from __future__ import annotations

from django.contrib import admin

from credit.reports.models import CreditReport, SealedRepairNotice
from directory.admin.parts import ReadOnlyAdmin


@admin.register(CreditReport)
class CreditReportAdmin(ReadOnlyAdmin):
    list_display = ["reference", "subject", "span_from", "span_until", "issued_at", "entry_count"]
    list_select_related = ["subject"]
    search_fields = ["reference", "subject__code"]


@admin.register(SealedRepairNotice)
class SealedRepairNoticeAdmin(ReadOnlyAdmin):
    list_display = ["notice", "sealed_at", "language"]
    list_select_related = ["notice"]
    search_fields = ["notice__reference"]
