"""Back office for repair and objection cases: read-only.

A case is a legal record: it changes only through the services (which check who may act,
keep the time limits and advance the process) and every change is kept by
django-simple-history, so administrators see the cases, their proofs and their history but
add, change and delete nothing.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from directory.admin.parts import ReadOnlyAdmin, ShownFieldsMixin, labelled_table
from directory.calendar import Deadline
from workflows.repair.models import (
    Objection,
    ObjectionProcess,
    RepairApplication,
    RepairProcess,
    RepairProof,
)


class ReadOnlyAdminMixin:
    """Every field shown, nothing editable; no adding or deleting."""

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyCaseAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """A case with its audited history (who did what, when and why)."""


class RepairProofInline(admin.TabularInline):
    model = RepairProof
    fields = ["name", "content_type", "size", "file"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


# The due dates of a repair application (``workflows.repair.services.limits``), by their labels.
DUE_DATE_LABELS = {"feedback": _("feedback"), "decision": _("decision")}


@admin.register(RepairApplication)
class RepairApplicationAdmin(ShownFieldsMixin, ReadOnlyCaseAdmin):
    shown_fields = {"due_basis": "due_dates_explained"}
    list_display = [
        "id",
        "subject",
        "breach",
        "department",
        "submitted_on",
        "decision_due",
        "status",
    ]
    list_filter = ["status", "department"]
    list_select_related = ["subject", "breach", "breach__category", "department"]
    search_fields = ["subject__code", "subject__name"]
    date_hierarchy = "submitted_on"
    inlines = [RepairProofInline]

    @admin.display(description=_("how the due dates were computed"))
    def due_dates_explained(self, application: RepairApplication) -> str:
        """Each due date by its label and, in words, how it was counted."""
        return labelled_table(
            (DUE_DATE_LABELS.get(name, name), Deadline.from_basis(basis).explain())
            for name, basis in (application.due_basis or {}).items()
        )


@admin.register(RepairProof)
class RepairProofAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "application", "name", "content_type", "size"]
    list_select_related = ["application"]


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyCaseAdmin):
    list_display = [
        "id",
        "subject",
        "breach",
        "kind",
        "department",
        "filed_on",
        "decision_due",
        "status",
    ]
    list_filter = ["status", "kind", "department"]
    list_select_related = ["subject", "breach", "breach__category", "department"]
    search_fields = ["subject__code", "subject__name"]
    date_hierarchy = "filed_on"


@admin.register(RepairProcess)
class RepairProcessAdmin(ReadOnlyAdmin):
    """Credit repair processes (viewflow's rows): the work; the case holds the legal status."""

    list_display = ["id", "repair_application", "status", "created", "finished"]
    list_filter = ["status"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(repair_application__isnull=False)


@admin.register(ObjectionProcess)
class ObjectionProcessAdmin(ReadOnlyAdmin):
    """Objection processes (viewflow's rows): the work; the case holds the legal status."""

    list_display = ["id", "objection", "status", "created", "finished"]
    list_filter = ["status"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(objection__isnull=False)
