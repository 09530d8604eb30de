"""The REST API over the commitment services and selectors (version 1).

Each endpoint parses its input, calls one service or selector and shapes the answer; the
rules are the ones the pages obey because they live in ``services`` and ``selectors``.
Every refusal has one JSON shape, ``{"code", "message", "fields"}``, so a client parses one
thing whether the serializer or the domain said no.
"""

from __future__ import annotations

import functools

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from signing.storage import document_read

from . import selectors, services
from .errors import CommitmentError, ErrorCode
from .identifiers import normalise
from .models import Commitment, CommitmentTemplate, Subject

# Errors -------------------------------------------------------------------------------------

ERROR_STATUS = {
    ErrorCode.NOT_FOUND: status.HTTP_404_NOT_FOUND,
    ErrorCode.FORBIDDEN: status.HTTP_403_FORBIDDEN,
    ErrorCode.ALREADY_SIGNED: status.HTTP_409_CONFLICT,
    ErrorCode.INVALID_STATE: status.HTTP_409_CONFLICT,
    ErrorCode.CONCURRENT_CHANGE: status.HTTP_409_CONFLICT,
    ErrorCode.TEMPLATE_IN_USE: status.HTTP_409_CONFLICT,
    ErrorCode.TEMPLATE_NOT_ACTIVE: status.HTTP_400_BAD_REQUEST,
    ErrorCode.INVALID: status.HTTP_400_BAD_REQUEST,
    ErrorCode.SUBJECT_EXCLUDED: status.HTTP_400_BAD_REQUEST,
}


class ErrorSerializer(serializers.Serializer):
    """The one error shape of the API."""

    code = serializers.CharField(help_text="Stable machine-readable code, e.g. `invalid`.")
    message = serializers.CharField(help_text="A sentence for a person, in the request's language.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per input field (`field_values.<name>` for a template's fields).",
    )

    class Meta:
        ref_name = "Error"


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """Schema entries for the refusals an endpoint can give."""
    return {code: OpenApiResponse(ErrorSerializer, description="Refused.") for code in codes}


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """Turn DRF's nested error detail into ``{"a.b": [messages]}``."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        flat = {}
        for index, value in enumerate(detail):
            flat.update(_flatten(value, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    messages = detail if isinstance(detail, list) else [detail]
    return (
        {prefix or api_settings.NON_FIELD_ERRORS_KEY: [str(m) for m in messages]}
        if messages
        else {}
    )


def exception_handler(exc, context):
    """Map domain and validation errors to the envelope; leave the rest to DRF.

    Errors are always JSON, even on an endpoint whose success is a PDF.
    """
    request = context.get("request")
    if request is not None and isinstance(getattr(request, "accepted_renderer", None), PdfRenderer):
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type
    if isinstance(exc, CommitmentError):
        return Response(exc.as_dict(), status=ERROR_STATUS.get(exc.code, 400))
    if isinstance(exc, exceptions.ValidationError):
        return Response(
            {
                "code": str(ErrorCode.INVALID),
                "message": _("Some fields need correcting."),
                "fields": _flatten(exc.detail),
            },
            status=status.HTTP_400_BAD_REQUEST,
        )
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" in response.data:
        # DRF's own shape kept for its clients, with the envelope's keys beside it.
        detail = response.data["detail"]
        response.data.update(
            {"code": str(getattr(detail, "code", "error")), "message": str(detail), "fields": {}}
        )
    return response


# Shared shapes ------------------------------------------------------------------------------


class PdfRenderer(BaseRenderer):
    """Lets a client ask for ``application/pdf``; the views hand over finished bytes."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


@functools.cache
def paginated(serializer_class, name: str):
    """The schema of a limit/offset page of ``serializer_class`` items (one per name)."""
    return inline_serializer(
        name=name,
        fields={
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer_class(many=True),
        },
    )


PAGE_PARAMETERS = [
    OpenApiParameter("limit", OpenApiTypes.INT, description="Items per page (default 50)."),
    OpenApiParameter("offset", OpenApiTypes.INT, description="Items to skip."),
]


def paginated_response(*, request, view, queryset, serializer_class) -> Response:
    paginator = LimitOffsetPagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer_class(page, many=True).data)


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

    class Meta:
        ref_name = "CommitmentSummary"


class CommitmentDetailSerializer(CommitmentSummarySerializer):
    class ObligationSerializer(serializers.Serializer):
        title = serializers.CharField()
        status = serializers.CharField()
        due_date = serializers.DateField()
        due_explanation = serializers.CharField()

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
    signed_document_sha256 = serializers.CharField(source="signed_document.sha256", allow_null=True)
    timeline = serializers.SerializerMethodField()

    class Meta:
        ref_name = "CommitmentDetail"

    @extend_schema_field(TimelineEntrySerializer(many=True))
    def get_timeline(self, commitment: Commitment) -> list:
        return TimelineEntrySerializer(self.context["timeline"], many=True).data


def commitment_detail_data(commitment: Commitment) -> dict:
    """A commitment as the detail endpoint shows it, with its timeline."""
    timeline = selectors.commitment_timeline(commitment=commitment)
    return CommitmentDetailSerializer(commitment, context={"timeline": timeline}).data


def _commitment(request, reference: str) -> Commitment:
    return selectors.commitment_get(reference=reference, visible_to=request.user)


# Subjects and templates ---------------------------------------------------------------------


class SubjectListApi(APIView):
    """The subjects the caller represents."""

    @extend_schema(
        operation_id="subjects_list",
        tags=["subjects"],
        responses={200: SubjectOutputSerializer(many=True)},
    )
    def get(self, request):
        subjects = selectors.subject_list(represented_by=request.user)
        return Response(SubjectOutputSerializer(subjects, many=True).data)


class SubjectRegisterApi(APIView):
    """Register a company or person and make the caller its representative."""

    class InputSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=Subject.Kind.choices)
        code = serializers.CharField(max_length=40)
        name = serializers.CharField(max_length=200)

        class Meta:
            ref_name = "SubjectRegisterInput"

    @extend_schema(
        operation_id="subjects_register",
        tags=["subjects"],
        request=InputSerializer,
        responses={201: SubjectOutputSerializer, **error_responses(400)},
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        subject = services.subject_register(**data.validated_data, representative=request.user)
        return Response(SubjectOutputSerializer(subject).data, status=status.HTTP_201_CREATED)


class TemplateListApi(APIView):
    """Active templates with everything an applicant must be told before committing."""

    class OutputSerializer(serializers.Serializer):
        class FieldSpecSerializer(serializers.Serializer):
            name = serializers.CharField()
            label = serializers.CharField(default="")
            required = serializers.BooleanField(default=True)
            max_length = serializers.IntegerField(default=500)

            class Meta:
                ref_name = "TemplateField"

        class ObligationRuleSerializer(serializers.Serializer):
            position = serializers.IntegerField()
            title = serializers.CharField()
            description = serializers.CharField()
            deadline = serializers.IntegerField()
            deadline_unit = serializers.CharField()

            class Meta:
                ref_name = "ObligationRule"

        class NoticeSerializer(serializers.Serializer):
            legal_basis = serializers.CharField(source="notice_legal_basis")
            conditions = serializers.CharField(source="notice_conditions")
            waived_proof = serializers.CharField(source="notice_waived_proof")
            liability = serializers.CharField(source="notice_liability")
            verification = serializers.CharField(source="notice_verification")
            publicity = serializers.CharField(source="notice_publicity")

            class Meta:
                ref_name = "TemplateNotice"

        id = serializers.IntegerField(source="pk")
        code = serializers.CharField()
        version = serializers.IntegerField()
        kind = serializers.CharField()
        title = serializers.CharField()
        matter = serializers.CharField(source="matter.code")
        matter_name = serializers.CharField(source="matter.name")
        notice = NoticeSerializer(source="*")
        commitment_text = serializers.CharField()
        fields = FieldSpecSerializer(many=True)
        obligation_rules = ObligationRuleSerializer(many=True, source="obligation_rules.all")
        verification_method = serializers.CharField()
        verification_window = serializers.IntegerField()
        verification_window_unit = serializers.CharField()
        publicity_days = serializers.IntegerField()

        class Meta:
            ref_name = "Template"

    @extend_schema(
        operation_id="templates_list",
        tags=["templates"],
        responses={200: OutputSerializer(many=True)},
    )
    def get(self, request):
        templates = selectors.template_list_active().prefetch_related("obligation_rules")
        return Response(self.OutputSerializer(templates, many=True).data)


# Commitments --------------------------------------------------------------------------------


class CommitmentListApi(APIView):
    """Commitments the caller may see, newest first."""

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=Commitment.Status.choices, required=False)

    @extend_schema(
        operation_id="commitments_list",
        tags=["commitments"],
        parameters=[FilterSerializer, *PAGE_PARAMETERS],
        responses={
            200: paginated(CommitmentSummarySerializer, "PaginatedCommitmentList"),
            **error_responses(400),
        },
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        commitments = selectors.commitment_list(visible_to=request.user)
        if "status" in filters.validated_data:
            commitments = commitments.filter(status=filters.validated_data["status"])
        return paginated_response(
            request=request,
            view=self,
            queryset=commitments,
            serializer_class=CommitmentSummarySerializer,
        )


class CommitmentCreateApi(APIView):
    """Start a draft commitment for a subject the caller represents."""

    class InputSerializer(serializers.Serializer):
        template = serializers.IntegerField(
            required=False, help_text="Template id, or give template_code and template_version."
        )
        template_code = serializers.SlugField(required=False)
        template_version = serializers.IntegerField(required=False, min_value=1)
        subject = serializers.CharField(max_length=40, help_text="The subject's code.")
        field_values = serializers.DictField(
            child=serializers.CharField(allow_blank=True), required=False, default=dict
        )

        class Meta:
            ref_name = "CommitmentCreateInput"

        def validate(self, attrs):
            by_code = "template_code" in attrs or "template_version" in attrs
            if "template" not in attrs and not (
                "template_code" in attrs and "template_version" in attrs
            ):
                raise serializers.ValidationError(
                    {"template": [_("Give the template's id, or its code and version.")]}
                )
            if "template" in attrs and by_code:
                raise serializers.ValidationError(
                    {
                        "template": [
                            _("Give either the template's id or its code and version, not both.")
                        ]
                    }
                )
            return attrs

    @extend_schema(
        operation_id="commitments_create",
        tags=["commitments"],
        request=InputSerializer,
        responses={201: CommitmentDetailSerializer, **error_responses(400, 403)},
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            commitment = services.commitment_create(
                by=request.user,
                subject=_represented_subject(request.user, values["subject"]),
                template=_template(values),
                field_values=values["field_values"],
            )
        except CommitmentError as error:
            raise _with_field_paths(error) from None
        return Response(commitment_detail_data(commitment), status=status.HTTP_201_CREATED)


_CREATE_INPUTS = {
    "template",
    "template_code",
    "template_version",
    "subject",
    "field_values",
    "region",
    "status",
}


def _with_field_paths(error: CommitmentError) -> CommitmentError:
    """Name a template field's error ``field_values.<name>``, as the client sent it."""
    if not any(name not in _CREATE_INPUTS for name in error.fields):
        return error
    fields = {
        (name if name in _CREATE_INPUTS else f"field_values.{name}"): messages
        for name, messages in error.fields.items()
    }
    return CommitmentError(error.code, error.message, fields=fields)


def _represented_subject(user, code: str) -> Subject:
    """A subject the user represents; others' subjects look the same as missing ones."""
    subject = selectors.subject_list(represented_by=user).filter(code=normalise(code)).first()
    if subject is None:
        raise CommitmentError(
            ErrorCode.INVALID, _("You represent no subject with this code."), field="subject"
        )
    return subject


def _template(values: dict) -> CommitmentTemplate:
    """The chosen template version in any status: the service says whether it is open."""
    if "template" in values:
        template = CommitmentTemplate.objects.filter(pk=values["template"]).first()
    else:
        template = CommitmentTemplate.objects.filter(
            code=values["template_code"], version=values["template_version"]
        ).first()
    if template is None:
        raise CommitmentError(
            ErrorCode.INVALID, _("There is no such commitment template."), field="template"
        )
    return template


class CommitmentDetailApi(APIView):
    """One commitment: fields, obligations with due dates, verification and timeline."""

    @extend_schema(
        operation_id="commitments_retrieve",
        tags=["commitments"],
        responses={200: CommitmentDetailSerializer, **error_responses(404)},
    )
    def get(self, request, reference: str):
        return Response(commitment_detail_data(_commitment(request, reference)))


class CommitmentPreviewApi(APIView):
    """The unsigned PDF the applicant is about to sign."""

    renderer_classes = [PdfRenderer, JSONRenderer]

    @extend_schema(
        operation_id="commitments_preview",
        tags=["commitments"],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, **error_responses(403, 404)},
    )
    def get(self, request, reference: str):
        pdf = services.commitment_preview(
            commitment=_commitment(request, reference), by=request.user
        )
        return HttpResponse(pdf, content_type="application/pdf")


class CommitmentDocumentApi(APIView):
    """The signed PDF, byte for byte, with its SHA-256 in ``X-Content-SHA256``."""

    renderer_classes = [PdfRenderer, JSONRenderer]

    @extend_schema(
        operation_id="commitments_document",
        tags=["commitments"],
        parameters=[
            OpenApiParameter(
                "X-Content-SHA256",
                OpenApiTypes.STR,
                location=OpenApiParameter.HEADER,
                response=[200],
                description="SHA-256 (hex) of the body as stored on signing.",
            )
        ],
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The signed PDF."
            ),
            **error_responses(404),
        },
    )
    def get(self, request, reference: str):
        commitment = _commitment(request, reference)
        document = commitment.signed_document
        if document is None:
            raise CommitmentError(ErrorCode.NOT_FOUND, _("This commitment is not signed yet."))
        response = HttpResponse(document_read(document), content_type="application/pdf")
        response["X-Content-SHA256"] = document.sha256
        response["Content-Disposition"] = f'attachment; filename="{commitment.reference}.pdf"'
        return response


class CommitmentWithdrawApi(APIView):
    """Drop a draft and fall back to the ordinary procedure."""

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

        class Meta:
            ref_name = "CommitmentWithdrawInput"

    @extend_schema(
        operation_id="commitments_withdraw",
        tags=["commitments"],
        request=InputSerializer,
        responses={200: CommitmentDetailSerializer, **error_responses(403, 404, 409)},
    )
    def post(self, request, reference: str):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        commitment = services.commitment_withdraw(
            commitment=_commitment(request, reference),
            by=request.user,
            reason=data.validated_data["reason"],
        )
        return Response(commitment_detail_data(commitment))
