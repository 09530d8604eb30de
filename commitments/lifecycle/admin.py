"""The back office's view of commitments and findings: read-only, because they change only
through the applicants' and regulators' services. Every change is kept by
django-simple-history (``SimpleHistoryAdmin`` shows it)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from commitments.catalogue.models import field_label
from commitments.lifecycle.models import (
    Commitment,
    IssuedForm,
    RegistryEvent,
    SigningRequest,
    Verification,
    VerificationDetail,
    VerificationEvidence,
    VerificationExemption,
)
from commitments.obligations.models import Obligation
from directory.admin.parts import (
    ReadOnlyAdmin,
    ReadOnlyInline,
    ShownFieldsMixin,
    labelled_table,
    labelled_values,
)
from directory.calendar import Deadline
from directory.reasons import reason_text


class ObligationInline(admin.TabularInline):
    model = Obligation
    extra = 0
    fields = ["title", "due_date", "status"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Commitment)
class CommitmentAdmin(ShownFieldsMixin, SimpleHistoryAdmin):
    """Read-only: commitments change only through the applicant's and regulators' services.

    The filled-in fields are listed by the template's labels, in the reader's language, and
    the verification's due date by how it was computed, in words (not as stored JSON)."""

    shown_fields = {
        "field_values": "filled_in_fields",
        "verification_due_basis": "verification_due_explained",
    }

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
        return [
            *(field.name for field in Commitment._meta.fields),
            *self.shown_fields.values(),
        ]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("filled-in fields"))
    def filled_in_fields(self, commitment: Commitment) -> str:
        labels = {spec["name"]: field_label(spec) for spec in commitment.template.fields or []}
        return labelled_table(labelled_values(commitment.field_values, labels))

    @admin.display(description=_("how the verification due date was computed"))
    def verification_due_explained(self, commitment: Commitment) -> str:
        basis = commitment.verification_due_basis
        return Deadline.from_basis(basis).explain() if basis else ""

    def has_delete_permission(self, request, obj=None):
        return False


class VerificationDetailInline(ReadOnlyInline):
    model = VerificationDetail


class VerificationEvidenceInline(ReadOnlyInline):
    model = VerificationEvidence
    fields = ["original_name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at"]
    readonly_fields = fields


@admin.register(Verification)
class VerificationAdmin(SimpleHistoryAdmin):
    inlines = [VerificationDetailInline, VerificationEvidenceInline]
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


@admin.register(RegistryEvent)
class RegistryEventAdmin(ReadOnlyAdmin):
    """The public register's events: append-only, their leaves are in the transparency log."""

    list_display = ["event_type", "commitment", "subject", "leaf_index", "created_at"]
    list_select_related = ["commitment", "subject"]
    list_filter = ["event_type"]
    search_fields = ["commitment__reference", "subject__code"]


@admin.register(SigningRequest)
class SigningRequestAdmin(ReadOnlyAdmin):
    """Signings waiting for the timestamp service, and their attempts."""

    list_display = ["commitment", "kind", "status", "attempts", "updated_at"]
    list_select_related = ["commitment"]
    list_filter = ["status", "kind"]
    search_fields = ["commitment__reference"]


@admin.register(IssuedForm)
class IssuedFormAdmin(ReadOnlyAdmin):
    """Forms downloaded to be signed elsewhere: an upload is accepted only over one of them."""

    list_display = ["commitment", "rendered_on", "language", "size", "issued_at"]
    list_select_related = ["commitment"]
    list_filter = ["language"]
    search_fields = ["commitment__reference", "sha256"]


@admin.register(VerificationExemption)
class VerificationExemptionAdmin(ReadOnlyAdmin):
    """Commitments exempt from verification under their matter's rule (ADR 0032): which rule,
    which grade, when, and whether a spot-check draw picked them. Read-only: the verification
    process records them."""

    list_display = ["commitment", "rule", "grade", "status", "exempted_at", "draw_number"]
    list_select_related = ["commitment", "rule"]
    list_filter = ["status", "spot_checks_drawn"]
    search_fields = ["commitment__reference"]
    readonly_fields = ["reason_shown"]

    def get_fields(self, request, obj=None):
        """The stored reason is shown in the reader's language, where it was."""
        fields = [name for name in super().get_fields(request, obj) if name != "reason_shown"]
        return ["reason_shown" if name == "reason" else name for name in fields]

    @admin.display(description=_("reason"))
    def reason_shown(self, exemption: VerificationExemption) -> str:
        return reason_text(exemption.reason)
