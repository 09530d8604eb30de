"""Admin of associations: the association with its officers and members, and bulk issues."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from commitments.associations.models import (
    Association,
    AssociationMembership,
    AssociationOfficer,
    BulkIssue,
    BulkIssueRow,
    MemberReminder,
)


class OfficerInline(admin.TabularInline):
    model = AssociationOfficer
    extra = 0
    raw_id_fields = ["user"]


class MembershipInline(admin.TabularInline):
    model = AssociationMembership
    extra = 0
    raw_id_fields = ["subject"]


@admin.register(Association)
class AssociationAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "uscc", "region"]
    search_fields = ["code", "name", "uscc"]
    inlines = [OfficerInline, MembershipInline]


class BulkIssueRowInline(admin.TabularInline):
    model = BulkIssueRow
    extra = 0
    can_delete = False
    fields = ["line_number", "code", "name", "outcome", "reasons", "commitment"]
    readonly_fields = fields
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(BulkIssue)
class BulkIssueAdmin(SimpleHistoryAdmin):
    list_display = ["id", "association", "template", "original_name", "status", "rows_done"]
    list_filter = ["status"]
    readonly_fields = [field.name for field in BulkIssue._meta.fields]
    inlines = [BulkIssueRowInline]


@admin.register(MemberReminder)
class MemberReminderAdmin(admin.ModelAdmin):
    list_display = ["association", "subject", "day", "sent_by", "sent_at"]
    raw_id_fields = ["subject", "sent_by"]
