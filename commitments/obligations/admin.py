"""Obligations in the back office: a template's warning policy and ladder (inlines of the
template admin) and a commitment's obligations (read-only, an inline of the commitment admin).

The ladder is operational data an administrator may change on a used template; it applies
to warnings not yet planned. Obligations change only through the services.
"""

from __future__ import annotations

from django.contrib import admin

from commitments.obligations.models import (
    ApprovalConsequence,
    DeadlineExtension,
    Obligation,
    PerformanceEvidence,
    PerformanceReport,
    WarningPolicy,
    WarningSchedule,
    WarningStep,
)
from directory.admin.parts import ReadOnlyAdmin, ReadOnlyInline


class WarningPolicyInline(admin.StackedInline):
    """Grace period and breach consequence of missed deadlines. Operational settings, not
    wording: they may change on a used template and apply to warnings not yet planned."""

    model = WarningPolicy
    extra = 0
    max_num = 1


class WarningStepInline(admin.TabularInline):
    """The warning ladder: e.g. 7 and 1 working days before, at the due time, after grace."""

    model = WarningStep
    extra = 0


class ObligationInline(admin.TabularInline):
    model = Obligation
    extra = 0
    fields = ["title", "due_date", "status"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class PerformanceEvidenceInline(ReadOnlyInline):
    model = PerformanceEvidence
    fields = ["original_name", "content_type", "size", "sha256"]
    readonly_fields = fields


@admin.register(PerformanceReport)
class PerformanceReportAdmin(ReadOnlyAdmin):
    """Reports of performance and their decisions: changed only through the services."""

    list_display = ["obligation", "status", "submitted_by", "submitted_at", "decided_by"]
    list_select_related = ["obligation", "submitted_by", "decided_by"]
    list_filter = ["status"]
    inlines = [PerformanceEvidenceInline]


@admin.register(ApprovalConsequence)
class ApprovalConsequenceAdmin(ReadOnlyAdmin):
    """What accept-now-supply-later approvals suffered for items not supplied (records)."""

    list_display = ["commitment", "obligation", "consequence", "recorded_by", "recorded_at"]
    list_select_related = ["commitment", "obligation", "recorded_by"]
    list_filter = ["consequence"]


@admin.register(DeadlineExtension)
class DeadlineExtensionAdmin(ReadOnlyAdmin):
    """Every extension with who granted it and why (statutory records: never edited)."""

    list_display = ["commitment", "obligation", "kind", "previous_due", "new_due", "extended_by"]
    list_select_related = ["commitment", "obligation", "extended_by"]
    list_filter = ["kind"]
    search_fields = ["commitment__reference", "reason"]


@admin.register(WarningSchedule)
class WarningScheduleAdmin(ReadOnlyAdmin):
    """Planned and sent warnings: the sweep's own rows, for an administrator to inspect."""

    list_display = ["obligation", "kind", "due_at", "status", "processed_at"]
    list_select_related = ["obligation"]
    list_filter = ["status", "kind"]
    date_hierarchy = "due_at"
