"""The back office's view of commitments and findings: read-only, because they change only
through the applicants' and regulators' services. Every change is kept by
django-simple-history (``SimpleHistoryAdmin`` shows it)."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from commitments.lifecycle.models import Commitment, Verification
from commitments.obligations.models import Obligation


class ObligationInline(admin.TabularInline):
    model = Obligation
    extra = 0
    fields = ["title", "due_date", "status"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Commitment)
class CommitmentAdmin(SimpleHistoryAdmin):
    """Read-only: commitments change only through the applicant's and regulators' services."""

    list_display = [
        "reference",
        "subject",
        "template",
        "status",
        "signed_at",
        "department",
        "verification_due_at",
    ]
    list_select_related = ["subject", "template", "department"]
    list_filter = ["status", "department", "template__kind"]
    search_fields = ["reference", "subject__name", "subject__code"]
    date_hierarchy = "created_at"
    inlines = [ObligationInline]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Commitment._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Verification)
class VerificationAdmin(SimpleHistoryAdmin):
    list_display = ["commitment", "finding", "method", "regulator", "verified_at"]
    list_select_related = ["commitment", "regulator"]
    list_filter = ["finding", "method"]
    search_fields = ["commitment__reference"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Verification._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
