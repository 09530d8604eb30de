"""Saved list filters in the admin: read-only, and deletable when an officer's remembered
filters hide what they look for and they cannot find the "clear filters" link."""

from django.contrib import admin

from workflows.lists.models import SavedListFilter


@admin.register(SavedListFilter)
class SavedListFilterAdmin(admin.ModelAdmin):
    list_display = ("user", "list_name", "query", "updated_at")
    list_filter = ("list_name",)
    search_fields = ("user__username", "list_name")
    readonly_fields = ("user", "list_name", "query", "updated_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
