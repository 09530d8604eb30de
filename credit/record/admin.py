"""The back office for the credit rules and catalogues (editable, with history, each text in
Chinese and English: ADR 0015) and the record itself (read-only here: it changes through the
services)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from credit.record.models.breaches import Breach, ListEntry, Measure
from credit.record.models.notices import RepairNotice
from credit.record.models.rules import (
    BreachCategory,
    ConsequenceRule,
    CreditList,
    GradeRule,
    MeasureType,
    PublicityRule,
    RepairRule,
    RuleSet,
)
from directory.admin import parts as directory_admin
from directory.admin.parts import CatalogueAdmin, CatalogueTabularInline, code_column


class PublicityRuleInline(CatalogueTabularInline):
    model = PublicityRule
    extra = 0


@admin.register(RuleSet)
class RuleSetAdmin(CatalogueAdmin, SimpleHistoryAdmin):
    list_display = ["code", "name", "domain", "effective_from", "effective_until"]
    list_filter = ["domain"]
    inlines = [PublicityRuleInline]


@admin.register(BreachCategory)
class BreachCategoryAdmin(CatalogueAdmin, SimpleHistoryAdmin):
    list_display = ["code", "name", "domain", "default_severity", "publicity_group"]


class ConsequenceRuleInline(admin.TabularInline):
    model = ConsequenceRule
    extra = 0


@admin.register(MeasureType)
class MeasureTypeAdmin(CatalogueAdmin, SimpleHistoryAdmin):
    list_display = ["code", "name", "kind", "lasts_until_repaired", "is_active"]
    list_filter = ["kind", "is_active"]
    inlines = [ConsequenceRuleInline]


@admin.register(CreditList)
class CreditListAdmin(CatalogueAdmin, SimpleHistoryAdmin):
    list_display = [code_column, "name", "kind", "entry_points_threshold", "notice_days"]


@admin.register(GradeRule)
class GradeRuleAdmin(SimpleHistoryAdmin):
    list_display = ["effective_from", "position", "grade", "max_points", "max_serious_breaches"]


@admin.register(RepairRule)
class RepairRuleAdmin(CatalogueAdmin, SimpleHistoryAdmin):
    list_display = ["category", "is_repairable", "max_repairs", "period_months"]
    list_select_related = ["category"]


class ReadOnlyMixin:
    """A record that changes only through the services: seen here, never edited."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    """A read-only record with its audited history (django-simple-history)."""


@admin.register(Breach)
class BreachAdmin(ReadOnlyAdmin):
    list_display = ["id", "subject", "category", "severity", "record_date", "status"]
    list_filter = ["status", "severity"]
    list_select_related = ["subject", "category"]

    def get_fields(self, request, obj=None):
        """The legal basis as the reader reads it: the category's in the reader's language."""
        fields = super().get_fields(request, obj)
        return ["shown_legal_basis" if name == "legal_basis" else name for name in fields]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "shown_legal_basis"]

    @admin.display(description=_("legal basis"))
    def shown_legal_basis(self, breach: Breach) -> str:
        return breach.legal_basis_display


@admin.register(Measure)
class MeasureAdmin(ReadOnlyAdmin):
    list_display = ["id", "subject", "measure_type", "points", "starts_on", "status"]
    list_select_related = ["subject", "measure_type"]


@admin.register(ListEntry)
class ListEntryAdmin(ReadOnlyAdmin):
    list_display = ["id", "subject", "credit_list", "status", "enter_not_before", "entered_on"]
    list_select_related = ["subject", "credit_list"]


@admin.register(RepairNotice)
class RepairNoticeAdmin(directory_admin.ShownFieldsMixin, directory_admin.ReadOnlyAdmin):
    """Repair notices: written with each breach decision, never edited (no history).

    The materials read by their labels and the legal basis as the reader reads it."""

    shown_fields = {"materials": "shown_materials", "repair_basis": "shown_repair_basis"}

    list_display = ["reference", "breach", "rule_set", "earliest_repair_on", "issued_at"]
    list_select_related = ["breach", "rule_set"]
    search_fields = ["reference"]

    @admin.display(description=_("materials needed"))
    def shown_materials(self, notice: RepairNotice) -> str:
        return format_html_join("", "<p>{}</p>", ((label,) for label in notice.material_labels()))

    @admin.display(description=_("legal basis of repair"))
    def shown_repair_basis(self, notice: RepairNotice) -> str:
        return notice.repair_basis_display
