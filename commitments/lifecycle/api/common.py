"""Shapes the commitment endpoints share: PDFs, the subject and commitment serializers, and
the commitment a caller may see."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.renderers import BaseRenderer

from commitments.lifecycle.models import Commitment
from commitments.lifecycle.selectors import TimelineEvent, commitment_get, timeline_sentences


class PdfRenderer(BaseRenderer):
    """Lets a client ask for ``application/pdf``; the views hand over finished bytes."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class SubjectOutputSerializer(serializers.Serializer):
    kind = serializers.CharField()
    code = serializers.CharField(source="display_code", help_text="A resident ID is masked.")
    name = serializers.CharField()
    region = serializers.CharField(source="region.code", allow_null=True)

    class Meta:
        ref_name = "Subject"


class TimelineEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    actor = serializers.CharField(source="actor.username", allow_null=True)
    from_status = serializers.CharField(allow_null=True)
    to_status = serializers.CharField()
    event = serializers.ChoiceField(choices=TimelineEvent.choices)
    label = serializers.CharField(help_text="What happened, in the request's language.")
    reason = serializers.CharField()
    kind = serializers.CharField()

    class Meta:
        ref_name = "TimelineEntry"


class CommitmentSummarySerializer(serializers.Serializer):
    reference = serializers.CharField()
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    template_code = serializers.CharField(source="template.code")
    template_version = serializers.IntegerField(source="template.version")
    title = serializers.CharField(source="template.title")
    subject_name = serializers.CharField(source="subject.name")
    created_at = serializers.DateTimeField()
    signed_at = serializers.DateTimeField(allow_null=True)
    verification_due_at = serializers.DateTimeField(allow_null=True)
    verification_due_provisional = serializers.BooleanField(
        help_text=(
            "True while the deadline runs through a year whose official holiday arrangement "
            "is not announced: the date may move when it is."
        )
    )
    verification_due_under_review = serializers.DateField(
        allow_null=True,
        help_text=(
            "Set once the year is announced if the count ends on another day there: the "
            "stated date stands until an officer moves it."
        ),
    )

    class Meta:
        ref_name = "CommitmentSummary"


class CommitmentDetailSerializer(CommitmentSummarySerializer):
    class ObligationSerializer(serializers.Serializer):
        id = serializers.IntegerField(
            source="pk", help_text="Report on it at /api/v1/obligations/{id}/report/."
        )
        title = serializers.CharField()
        status = serializers.CharField()
        due_date = serializers.DateField()
        due_explanation = serializers.CharField()
        due_provisional = serializers.BooleanField()
        due_under_review = serializers.DateField(allow_null=True)

        class Meta:
            ref_name = "Obligation"

    class VerificationSerializer(serializers.Serializer):
        method = serializers.CharField()
        finding = serializers.CharField()
        reason = serializers.CharField()
        verified_at = serializers.DateTimeField()

        class Meta:
            ref_name = "Verification"

    subject = SubjectOutputSerializer()
    department = serializers.CharField(source="department.code", allow_null=True)
    field_values = serializers.DictField(child=serializers.CharField())
    decided_at = serializers.DateTimeField(allow_null=True)
    obligations = ObligationSerializer(many=True, source="obligations.all")
    verification_due_explanation = serializers.CharField()
    verification = VerificationSerializer(allow_null=True)

    class ApprovalConsequenceSerializer(serializers.Serializer):
        obligation = serializers.IntegerField(source="obligation_id")
        consequence = serializers.CharField(
            help_text="suspend or revoke: what the approval suffered for an item not supplied."
        )
        consequence_display = serializers.CharField(source="get_consequence_display")
        recorded_at = serializers.DateTimeField()
        recorded_by = serializers.CharField(source="recorded_by.username")
        reason = serializers.CharField()

        class Meta:
            ref_name = "ApprovalConsequence"

    class ExemptionSerializer(serializers.Serializer):
        status = serializers.CharField(help_text="open, drawn, closed or withdrawn.")
        status_display = serializers.CharField(source="get_status_display")
        rule = serializers.IntegerField(source="rule_id", help_text="The exemption rule applied.")
        legal_basis = serializers.CharField(source="rule.legal_basis")
        grade = serializers.CharField(help_text="The risk grade the credit record gave.")
        spot_checks_drawn = serializers.BooleanField()
        exempted_at = serializers.DateTimeField()
        exempted_by = serializers.CharField(source="exempted_by.username")
        reason = serializers.CharField()
        drawn_at = serializers.DateTimeField(allow_null=True)
        draw = serializers.IntegerField(source="draw_number", allow_null=True)
        closed_at = serializers.DateTimeField(allow_null=True)
        withdrawn_at = serializers.DateTimeField(
            allow_null=True, help_text="When the applicant's withdrawal ended the exemption."
        )
        withdrawn_by = serializers.CharField(source="withdrawn_by.username", allow_null=True)
        withdrawn_from = serializers.CharField(
            help_text="The exemption's state when it was withdrawn (open or drawn); empty if not."
        )
        withdrawal_reason = serializers.CharField()

        class Meta:
            ref_name = "VerificationExemption"

    exemption = ExemptionSerializer(
        allow_null=True, help_text="Set when the matter's rule exempted it from verification."
    )
    signed_document_sha256 = serializers.CharField(source="signed_document.sha256", allow_null=True)
    kind = serializers.CharField(source="template.kind")
    kind_name = serializers.CharField(source="template.rules.name")
    published_until = serializers.DateField(allow_null=True)
    withdrawn_at = serializers.DateTimeField(allow_null=True)
    withdrawn_by = serializers.CharField(source="withdrawn_by.username", allow_null=True)
    withdrawal_reason = serializers.CharField()
    approval_consequences = ApprovalConsequenceSerializer(
        many=True, source="approval_consequences.all"
    )
    timeline = serializers.SerializerMethodField()

    class Meta:
        ref_name = "CommitmentDetail"

    @extend_schema_field(TimelineEntrySerializer(many=True))
    def get_timeline(self, commitment: Commitment) -> list:
        return TimelineEntrySerializer(self.context["timeline"], many=True).data


def commitment_detail_data(commitment: Commitment) -> dict:
    """A commitment as the detail endpoint shows it, with its timeline."""
    timeline = [
        {**entry, "label": entry["text"]}
        for entry in timeline_sentences(commitment=commitment, with_bookkeeping=True)
    ]
    return CommitmentDetailSerializer(commitment, context={"timeline": timeline}).data


def visible_commitment(request, reference: str) -> Commitment:
    """The commitment if the caller may see it; ``not_found`` otherwise (never a hint)."""
    return commitment_get(reference=reference, visible_to=request.user)
