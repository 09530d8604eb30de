"""The officers' and administrators' back office for the reference data of the domain.

Every change is kept by django-simple-history (``SimpleHistoryAdmin`` shows it). Lifecycle
states are protected FSM fields: they change through the actions below, never by editing.
Commitments and findings are read-only here; they change only through the services.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_fsm import can_proceed
from simple_history.admin import SimpleHistoryAdmin

from commitments.models import Commitment, CommitmentTemplate, ObligationRule, Verification
from commitments.obligations.admin import ObligationInline, WarningPolicyInline, WarningStepInline


class ObligationRuleInline(admin.TabularInline):
    """Obligations of a template version; frozen with the wording once a commitment uses it."""

    model = ObligationRule
    extra = 0
    fields = ["position", "title", "description", "deadline", "deadline_unit"]

    def _is_frozen(self, obj) -> bool:
        return obj is not None and obj.pk is not None and obj.is_used

    def get_readonly_fields(self, request, obj=None):
        return self.fields if self._is_frozen(obj) else []

    def has_add_permission(self, request, obj=None):
        return not self._is_frozen(obj) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._is_frozen(obj) and super().has_delete_permission(request, obj)


def _transition_templates(request, queryset, *, method: str, reason: str) -> int:
    """Apply an FSM transition to each selected template that allows it, with history."""
    changed = 0
    with transaction.atomic():
        for template in queryset.select_for_update():
            transition = getattr(template, method)
            if not can_proceed(transition):
                continue
            transition()
            template._history_user = request.user
            template._change_reason = reason
            template.save()
            changed += 1
    return changed


@admin.register(CommitmentTemplate)
class CommitmentTemplateAdmin(SimpleHistoryAdmin):
    list_display = ["title", "code", "version", "kind", "matter", "status"]
    list_select_related = ["matter"]
    list_filter = ["status", "kind", "matter"]
    search_fields = ["code", "title"]
    autocomplete_fields = ["matter"]
    inlines = [ObligationRuleInline, WarningPolicyInline, WarningStepInline]
    actions = ["activate", "retire"]

    def get_readonly_fields(self, request, obj=None):
        readonly = ["status"]
        if obj is not None and obj.pk is not None and obj.is_used:
            readonly += list(CommitmentTemplate.WORDING_FIELDS)
        return readonly

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_used:
            return False
        return super().has_delete_permission(request, obj)

    @admin.action(description=_("Open the selected templates for applicants"))
    def activate(self, request, queryset):
        count = _transition_templates(
            request, queryset, method="activate", reason="activated in the admin"
        )
        self.message_user(
            request,
            ngettext("%d template opened.", "%d templates opened.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(description=_("Close the selected templates for new commitments"))
    def retire(self, request, queryset):
        count = _transition_templates(
            request, queryset, method="retire", reason="retired in the admin"
        )
        self.message_user(
            request,
            ngettext("%d template closed.", "%d templates closed.", count) % count,
            messages.SUCCESS,
        )


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
