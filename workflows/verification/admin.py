"""Back office for absences and spot-check ratios: data administrators edit without code.

Every change of a delegation or a sampling policy is kept by django-simple-history; draws and
the task audit are read-only.
"""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from directory.admin.parts import CatalogueAdmin, ReadOnlyAdmin
from workflows.audit.models import TaskAuditEntry
from workflows.verification.models import (
    Delegation,
    Rectification,
    RectificationEvidence,
    SamplingDraw,
    SamplingPolicy,
    VerificationProcess,
    VerificationTaskIndex,
)


@admin.register(Delegation)
class DelegationAdmin(SimpleHistoryAdmin):
    """Read-only: absences are recorded through the service, which refuses loops and outsiders."""

    list_display = ["delegator", "delegate", "department", "starts", "ends", "revoked_at"]
    list_select_related = ["delegator", "delegate", "department"]
    list_filter = ["department"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SamplingPolicy)
class SamplingPolicyAdmin(CatalogueAdmin, SimpleHistoryAdmin):
    """Spot-check ratios per risk grade, their note (legal basis) in both languages."""

    list_display = ["grade", "ratio_min", "ratio_max", "effective_from", "note"]
    list_filter = ["grade"]

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        obj._change_reason = "changed in the admin" if change else "created in the admin"
        super().save_model(request, obj, form, change)


@admin.register(SamplingDraw)
class SamplingDrawAdmin(admin.ModelAdmin):
    list_display = ["drawn_at", "department", "drawn_by", "seed"]
    list_select_related = ["department", "drawn_by"]
    readonly_fields = ["department", "seed", "inputs", "selected", "drawn_by", "drawn_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(TaskAuditEntry)
class TaskAuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "task", "kind", "actor", "from_user", "from_status", "to_user"]
    list_select_related = ["actor", "from_user", "to_user"]
    list_filter = ["kind"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(VerificationProcess)
class VerificationProcessAdmin(ReadOnlyAdmin):
    """Verification processes (viewflow's rows for InformCommitFlow): the work, not the status."""

    list_display = ["id", "status", "created", "finished"]
    list_filter = ["status"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(commitment__isnull=False)


@admin.register(VerificationTaskIndex)
class VerificationTaskIndexAdmin(ReadOnlyAdmin):
    """The queue index: derived from the open tasks (``manage.py queue_index_rebuild``)."""

    list_display = ["task", "commitment", "department", "owner", "due_at", "priority"]
    list_select_related = ["task__process", "commitment", "department", "owner"]
    list_filter = ["department", "is_escalated", "risk_grade"]


class RectificationEvidenceInline(admin.TabularInline):
    model = RectificationEvidence
    extra = 0
    can_delete = False
    fields = ["stage", "original_name", "sha256", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields


@admin.register(Rectification)
class RectificationAdmin(ReadOnlyAdmin):
    """Orders to rectify: read-only here, changed only through the process."""

    list_display = ["commitment", "department", "status", "due_at", "ordered_by", "ordered_at"]
    list_select_related = ["commitment", "department", "ordered_by"]
    list_filter = ["status", "department"]
    search_fields = ["commitment__reference"]
    inlines = [RectificationEvidenceInline]
