"""The public portal's read-only API: commitments made public, red and black lists with
their entry and exit dates, and a subject's public profile.

No authentication: everything here is what the portal pages show to anyone, read through the
same selectors (``commitments.portal.selectors``, ``credit.selectors`` with the public
audience). Natural persons are not profiled and appear on lists with a masked name and no
identifier.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from commitments.catalogue.models import CommitmentKind, CommitmentTemplate
from commitments.errors import CommitmentError, ErrorCode
from commitments.lifecycle.selectors import public_commitments
from commitments.portal import selectors
from config.api_pagination import PAGE_PARAMETERS, QueryChoiceField, paginated, paginated_response
from credit.record import selectors as credit_selectors
from credit.record.models.rules import CreditList
from directory.errors import error_responses
from directory.models import Subject

SEARCH = OpenApiParameter(
    "q", OpenApiTypes.STR, description="A subject's code, or part of its name."
)

SHOW_CHOICES = ["current", "exited"]


class PublicApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]


class _KindsInOneQuery(serializers.ListSerializer):
    """A page of commitments reads its templates' kinds in one query, not one per row."""

    def to_representation(self, data):
        commitments = list(data)
        CommitmentKind.attach(commitment.template for commitment in commitments)
        return super().to_representation(commitments)


class PublicCommitmentSerializer(serializers.Serializer):
    reference = serializers.CharField()
    subject = serializers.CharField(source="subject.name")
    subject_code = serializers.CharField(source="subject.display_code")
    title = serializers.CharField(source="template.title")
    matter = serializers.CharField(source="template.matter.name")
    department = serializers.CharField(source="department.name", allow_null=True)
    signed_at = serializers.DateTimeField()
    public_until = serializers.SerializerMethodField()
    kind = serializers.CharField(source="template.kind")
    kind_name = serializers.CharField(source="template.rules.name")

    class Meta:
        ref_name = "PublicCommitment"
        list_serializer_class = _KindsInOneQuery

    def get_public_until(self, commitment) -> date:
        return (commitment.signed_at + timedelta(days=commitment.template.publicity_days)).date()


class PublicListEntrySerializer(serializers.Serializer):
    list = serializers.CharField(source="credit_list.name")
    kind = serializers.CharField(source="credit_list.kind")
    subject = serializers.SerializerMethodField(help_text="A natural person's name is masked.")
    subject_code = serializers.SerializerMethodField(
        help_text="Companies only; null for a natural person."
    )
    entered_on = serializers.DateField()
    exit_not_before = serializers.DateField(allow_null=True)
    exited_on = serializers.DateField(allow_null=True)

    class Meta:
        ref_name = "PublicListEntry"

    def get_subject(self, entry) -> str:
        return selectors.masked_name(entry.subject)

    def get_subject_code(self, entry) -> str | None:
        return entry.subject.code if entry.subject.kind == Subject.Kind.COMPANY else None


class PublicBreachSerializer(serializers.Serializer):
    record_date = serializers.DateField()
    category = serializers.CharField(source="category.name")
    severity = serializers.CharField()
    legal_basis = serializers.CharField()
    rule_set = serializers.CharField(source="rule_set.name")
    publicity_starts = serializers.DateField()
    publicity_max_until = serializers.DateField(help_text="Publication ends on this day.")

    class Meta:
        ref_name = "PublicBreach"


class PublicMeasureSerializer(serializers.Serializer):
    name = serializers.CharField(source="measure_type.name")
    legal_basis = serializers.CharField(source="measure_type.legal_basis")
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(allow_null=True)

    class Meta:
        ref_name = "PublicMeasure"


class PublicProfileSerializer(serializers.Serializer):
    name = serializers.CharField()
    code = serializers.CharField()
    as_of = serializers.DateField()
    commitments = PublicCommitmentSerializer(many=True)
    breaches = PublicBreachSerializer(many=True)
    measures = PublicMeasureSerializer(many=True)
    list_entries = PublicListEntrySerializer(many=True)

    class Meta:
        ref_name = "PublicProfile"


class PublicCommitmentDetailSerializer(PublicCommitmentSerializer):
    commitment_text = serializers.CharField(source="template.commitment_text")
    particulars = serializers.SerializerMethodField()

    class Meta:
        ref_name = "PublicCommitmentDetail"

    def get_particulars(self, commitment) -> list[dict[str, str]]:
        """What the business chose to make public (published kinds only)."""
        if not commitment.template.rules.is_published:
            return []
        return [{"label": label, "value": value} for label, value in commitment.field_rows()]


class PortalCommitmentListApi(PublicApi):
    """Signed commitments within their publicity period (a voluntary public commitment: its
    term), newest first; ``kind`` narrows them to one kind of commitment."""

    class FilterSerializer(serializers.Serializer):
        kind = QueryChoiceField(choices=CommitmentTemplate.Kind.values, required=False)

    @extend_schema(
        operation_id="portal_commitments_list",
        tags=["portal"],
        auth=[],
        parameters=[
            SEARCH,
            OpenApiParameter("kind", OpenApiTypes.STR, enum=CommitmentTemplate.Kind.values),
            *PAGE_PARAMETERS,
        ],
        responses={
            200: paginated(PublicCommitmentSerializer, "PaginatedPublicCommitmentList"),
            **error_responses(400),
        },
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        return paginated_response(
            request=request,
            view=self,
            queryset=selectors.public_commitment_list(
                q=request.query_params.get("q", ""),
                kind=filters.validated_data.get("kind") or None,
            ),
            serializer_class=PublicCommitmentSerializer,
        )


class PortalCommitmentApi(PublicApi):
    """One commitment being made public; not found once its publicity term has ended."""

    @extend_schema(
        operation_id="portal_commitments_detail",
        tags=["portal"],
        auth=[],
        responses={200: PublicCommitmentDetailSerializer, **error_responses(404)},
    )
    def get(self, request, reference: str):
        commitment = selectors.public_commitment_get(reference=reference)
        if commitment is None:
            raise CommitmentError(
                ErrorCode.NOT_FOUND,
                _("No commitment with this reference is being made public."),
                field="reference",
            )
        return Response(PublicCommitmentDetailSerializer(commitment).data)


class PortalListEntryListApi(PublicApi):
    """Current designations on the red or black list, or (``show=exited``) ended ones, with
    their entry and exit dates."""

    class FilterSerializer(serializers.Serializer):
        show = QueryChoiceField(choices=SHOW_CHOICES, required=False)

    @extend_schema(
        operation_id="portal_lists_entries",
        tags=["portal"],
        auth=[],
        parameters=[
            SEARCH,
            OpenApiParameter("show", OpenApiTypes.STR, enum=SHOW_CHOICES),
            *PAGE_PARAMETERS,
        ],
        responses={
            200: paginated(PublicListEntrySerializer, "PaginatedPublicListEntryList"),
            **error_responses(404),
        },
    )
    def get(self, request, kind: str):
        if kind not in CreditList.Kind.values:
            raise CommitmentError(
                ErrorCode.NOT_FOUND,
                _("There is no list of this kind: use red or black."),
                field="kind",
            )
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        entries = selectors.public_list_entries(
            kind=kind,
            q=request.query_params.get("q", ""),
            current=filters.validated_data.get("show") != "exited",
        )
        return paginated_response(
            request=request,
            view=self,
            queryset=entries,
            serializer_class=PublicListEntrySerializer,
        )


class PortalSubjectApi(PublicApi):
    """A company's public profile: only what the rules in force allow to be published."""

    @extend_schema(
        operation_id="portal_subjects_profile",
        tags=["portal"],
        auth=[],
        responses={200: PublicProfileSerializer, **error_responses(404)},
    )
    def get(self, request, code: str):
        subject = selectors.public_subject(code=code)
        if subject is None:
            raise CommitmentError(
                ErrorCode.NOT_FOUND, _("No company with this code is on the portal."), field="code"
            )
        record = credit_selectors.credit_record(
            subject_id=subject.pk, audience=credit_selectors.AUDIENCE_PUBLIC
        )
        for entry in record.list_entries:
            entry.subject = subject
        profile = {
            "name": subject.name,
            "code": subject.code,
            "as_of": record.on,
            "commitments": public_commitments(subject=subject),
            "breaches": record.breaches,
            "measures": record.measures,
            "list_entries": record.list_entries,
        }
        return Response(PublicProfileSerializer(profile).data)
