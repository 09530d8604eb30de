"""The administrators' back office for who and where: regions, departments, matters,
competences, regulators' seats, subjects and the working-day calendar.

Every change is kept by django-simple-history (``SimpleHistoryAdmin`` shows it). A new subject
is registered through the same service as an applicant's.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from directory import services as directory_services
from directory.admin.parts import (
    CatalogueAdmin,
    ReadOnlyAdmin,
    ShownFieldsMixin,
    labelled_table,
    labelled_values,
)
from directory.errors import DomainError
from directory.identifiers import IdentifierKind, IdentifierProblem, check_identifier
from directory.models import (
    CalendarYear,
    Competence,
    Department,
    ExternalIdentity,
    Matter,
    Region,
    RegulatorMembership,
    RoutingRule,
    Subject,
    WorkingDayOverride,
)
from directory.representation.models import Representation


@admin.register(Region)
class RegionAdmin(CatalogueAdmin):
    list_display = ["code", "name", "parent"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]


@admin.register(Department)
class DepartmentAdmin(CatalogueAdmin, SimpleHistoryAdmin):
    list_display = ["code", "name", "region"]
    list_select_related = ["region"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["region"]


@admin.register(Matter)
class MatterAdmin(CatalogueAdmin, SimpleHistoryAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Competence)
class CompetenceAdmin(SimpleHistoryAdmin):
    list_display = ["matter", "region", "department"]
    list_select_related = ["matter", "region", "department"]
    list_filter = ["matter", "department"]
    autocomplete_fields = ["matter", "region", "department"]


@admin.register(RegulatorMembership)
class RegulatorMembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "department", "role", "is_active"]
    list_select_related = ["user", "department"]
    list_filter = ["role", "is_active", "department"]
    search_fields = ["user__username", "department__name"]
    autocomplete_fields = ["user", "department"]


REPRESENTATION_FIELDS = [
    "user",
    "role",
    "status",
    "method",
    "evidence",
    "covers_all_matters",
    "valid_from",
    "valid_until",
    "reviewed_by",
    "reviewed_at",
    "review_reason",
    "revoked_by",
    "revoked_at",
    "revoke_reason",
]


# The keys of a representation's evidence (``directory.representation.services`` and the
# letter upload of ``commitments.lifecycle.services.representation``), by their labels.
EVIDENCE_LABELS = {
    "role": _("role"),
    "filename": _("file name"),
    "size": _("size in bytes"),
    "sha256": "SHA-256",
    "storage": _("kept in"),
    "uploaded_at": _("uploaded at"),
    "granted_by": _("granted by"),
    "matters": _("matters"),
    "valid_from": _("valid from"),
    "valid_until": _("valid until"),
    "request": _("request"),
    "declared": _("declared"),
}
EVIDENCE_VALUES = {
    "role": dict(Representation.Role.choices),
    "declared": {"code typed at registration": _("code typed at registration")},
    "storage": {"signed_document": _("the platform's store of signed documents")},
}


class EvidenceShownMixin(ShownFieldsMixin):
    shown_fields = {"evidence": "shown_evidence"}

    @admin.display(description=_("evidence"))
    def shown_evidence(self, representation: Representation) -> str:
        return labelled_table(
            labelled_values(representation.evidence, EVIDENCE_LABELS, EVIDENCE_VALUES)
        )


class RepresentationInline(EvidenceShownMixin, admin.TabularInline):
    """Read-only: representations change only through proof, review, grant and revocation
    (``directory.representation.services``), each recorded with who and why."""

    model = Representation
    fk_name = "subject"
    extra = 0
    fields = REPRESENTATION_FIELDS
    readonly_fields = REPRESENTATION_FIELDS
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Representation)
class RepresentationAdmin(EvidenceShownMixin, SimpleHistoryAdmin):
    """Read-only, with history: who proved, granted, reviewed or revoked what, and why."""

    list_display = ["subject", "user", "role", "status", "method", "valid_until"]
    list_select_related = ["subject", "user"]
    list_filter = ["status", "role", "method"]
    search_fields = ["subject__name", "subject__code", "user__username"]
    readonly_fields = ["subject", "granted_by", "matters", *REPRESENTATION_FIELDS]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class SubjectAddForm(forms.ModelForm):
    """Registration by an officer, who may accept a legal early code with a recorded reason."""

    class Meta:
        model = Subject
        fields = ["kind", "code", "name", "region", "checksum_override_reason"]

    def clean(self):
        cleaned = super().clean()
        kind, code = cleaned.get("kind"), cleaned.get("code")
        if kind and code:
            identifier_kind = (
                IdentifierKind.USCC if kind == Subject.Kind.COMPANY else IdentifierKind.RESIDENT_ID
            )
            check = check_identifier(identifier_kind, code)
            cleaned["code"] = check.value
            if check.problem is IdentifierProblem.FORMAT:
                self.add_error("code", _("This identifier is not well-formed."))
            elif check.problem is IdentifierProblem.BIRTH_DATE:
                self.add_error(
                    "code",
                    _("The birth date inside this resident identity number is not a real date."),
                )
            elif (
                check.problem is IdentifierProblem.CHECKSUM
                and not (cleaned.get("checksum_override_reason") or "").strip()
            ):
                self.add_error(
                    "checksum_override_reason",
                    _(
                        "The check character is wrong (expected %(expected)s). "
                        "To accept this code, record why."
                    )
                    % {"expected": check.expected_check_character},
                )
        return cleaned


@admin.register(Subject)
class SubjectAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "shown_code", "region"]
    list_select_related = ["region"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["region"]
    inlines = [RepresentationInline]

    @admin.display(description=_("code"), ordering="code")
    def shown_code(self, subject: Subject) -> str:
        """The code as lists show it: a resident ID masked."""
        return subject.display_code

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = SubjectAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["kind", "code", "checksum_override_reason", "checksum_overridden_by", "created_at"]

    def save_model(self, request, obj, form, change):
        """A new subject goes through the registration service, like an applicant's."""
        if change:
            obj._history_user = request.user
            obj._change_reason = "changed in the admin"
            super().save_model(request, obj, form, change)
            return
        try:
            registered = directory_services.subject_register(
                kind=obj.kind,
                code=obj.code,
                name=obj.name,
                region=obj.region,
                checksum_override_reason=obj.checksum_override_reason,
                officer=request.user,
            )
        except DomainError as error:  # a race with another registration of the code
            self.message_user(request, error.message, messages.ERROR)
            raise
        obj.pk = registered.pk
        obj.code = registered.code
        obj._state.adding = False
        obj._state.db = registered._state.db


@admin.register(WorkingDayOverride)
class WorkingDayOverrideAdmin(SimpleHistoryAdmin):
    list_display = ["date", "is_working_day", "note"]
    list_filter = ["is_working_day"]
    date_hierarchy = "date"
    search_fields = ["note"]


@admin.register(CalendarYear)
class CalendarYearAdmin(SimpleHistoryAdmin):
    """Where an administrator records that a year's official arrangement is announced."""

    list_display = ["year", "announcement", "announced_on"]
    search_fields = ["announcement"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "matter",
        "region",
        "field_name",
        "field_value",
        "department",
        "priority",
        "is_active",
    ]
    list_select_related = ["matter", "region", "department"]
    list_filter = ["is_active", "matter", "department"]
    search_fields = ["name", "field_value"]
    autocomplete_fields = ["matter", "region", "department"]
    filter_horizontal = ["eligible_regulators"]

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        obj._change_reason = "changed in the admin" if change else "created in the admin"
        super().save_model(request, obj, form, change)


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    """Made by logins through the identity provider; shown with its history, never edited."""

    list_display = ["subject_identifier", "issuer", "user", "linked_at", "last_login_at"]
    list_select_related = ["user"]
    search_fields = ["subject_identifier", "user__username"]


# The partitions' pages use the catalogue mixin above: registered once it is defined.
import directory.partitions.admin  # noqa: E402, F401
