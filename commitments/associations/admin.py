"""Admin of associations: the association with its officers and members, and bulk issues."""

from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from commitments.associations.models import (
    Association,
    AssociationMembership,
    AssociationOfficer,
    BulkIssue,
    BulkIssueRow,
    MemberReminder,
)
from commitments.associations.rows import column_labels, reason_messages
from directory.admin.parts import ShownFieldsMixin


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


class BulkIssueRowInline(ShownFieldsMixin, admin.TabularInline):
    """Each row's outcome, its reasons by their messages (stored as stable codes)."""

    model = BulkIssueRow
    extra = 0
    can_delete = False
    fields = ["line_number", "code", "name", "outcome", "reasons", "commitment"]
    readonly_fields = fields
    show_change_link = False
    shown_fields = {"reasons": "shown_reasons"}

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("reasons"))
    def shown_reasons(self, row: BulkIssueRow) -> str:
        messages = reason_messages()
        return format_html_join(
            "",
            "<p>{}</p>",
            ((messages.get(reason["code"], reason["code"]),) for reason in row.reasons),
        )


@admin.register(BulkIssue)
class BulkIssueAdmin(ShownFieldsMixin, SimpleHistoryAdmin):
    """A members' file and its outcome; its columns named in the reader's language."""

    list_display = ["id", "association", "template", "original_name", "status", "rows_done"]
    list_filter = ["status"]
    readonly_fields = [field.name for field in BulkIssue._meta.fields]
    inlines = [BulkIssueRowInline]
    shown_fields = {"columns": "shown_columns"}

    @admin.display(description=_("columns"))
    def shown_columns(self, bulk: BulkIssue) -> str:
        labels = column_labels()
        return ", ".join(str(labels.get(column, column)) for column in bulk.columns)


@admin.register(MemberReminder)
class MemberReminderAdmin(admin.ModelAdmin):
    list_display = ["association", "subject", "day", "sent_by", "sent_at"]
    raw_id_fields = ["subject", "sent_by"]
