"""Commitments: list, create, read, preview, download, withdraw."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from commitments.catalogue.models import CommitmentTemplate
from commitments.errors import CommitmentError, ErrorCode
from commitments.lifecycle.api.common import (
    CommitmentDetailSerializer,
    CommitmentSummarySerializer,
    PdfRenderer,
    commitment_detail_data,
    visible_commitment,
)
from commitments.lifecycle.models import Commitment
from commitments.lifecycle.selectors import commitment_list
from commitments.lifecycle.services.commitments import (
    commitment_create,
    commitment_preview,
)
from commitments.lifecycle.services.withdrawal import commitment_withdraw
from config.api_pagination import PAGE_PARAMETERS, QueryChoiceField, paginated, paginated_response
from directory import selectors as directory_selectors
from directory.errors import error_responses
from directory.identifiers import normalise
from directory.models import Subject
from signing.storage import document_read


class CommitmentListApi(APIView):
    """Commitments the caller may see, newest first."""

    class FilterSerializer(serializers.Serializer):
        status = QueryChoiceField(choices=Commitment.Status.choices, required=False)

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
        commitments = commitment_list(visible_to=request.user)
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
            commitment = commitment_create(
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
    subject = (
        directory_selectors.subject_list(represented_by=user).filter(code=normalise(code)).first()
    )
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
        return Response(commitment_detail_data(visible_commitment(request, reference)))


class CommitmentPreviewApi(APIView):
    """The unsigned PDF the applicant is about to sign: a 样稿 preview, or (``for=signing``)
    the exact form to sign with one's own certificate and upload."""

    renderer_classes = [PdfRenderer, JSONRenderer]

    @extend_schema(
        operation_id="commitments_preview",
        tags=["commitments"],
        parameters=[
            OpenApiParameter(
                "for",
                OpenApiTypes.STR,
                enum=["signing"],
                required=False,
                description="``signing``: today's form without the 样稿 watermark, to sign "
                "elsewhere and upload.",
            )
        ],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, **error_responses(400, 403, 404)},
    )
    def get(self, request, reference: str):
        pdf = commitment_preview(
            commitment=visible_commitment(request, reference),
            by=request.user,
            for_signing_elsewhere=request.query_params.get("for") == "signing",
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
        commitment = visible_commitment(request, reference)
        document = commitment.signed_document
        if document is None:
            raise CommitmentError(ErrorCode.NOT_FOUND, _("This commitment is not signed yet."))
        response = HttpResponse(document_read(document), content_type="application/pdf")
        response["X-Content-SHA256"] = document.sha256
        response["Content-Disposition"] = f'attachment; filename="{commitment.reference}.pdf"'
        return response


class CommitmentWithdrawApi(APIView):
    """Drop a draft, or withdraw a signed commitment before the verification decision (a
    proven representative, with a reason): the verification task is cancelled and the case
    returns to the ordinary procedure. Refused once the commitment is decided."""

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(
            max_length=1000, required=False, allow_blank=True, default=""
        )

        class Meta:
            ref_name = "CommitmentWithdrawInput"

    @extend_schema(
        operation_id="commitments_withdraw",
        tags=["commitments"],
        request=InputSerializer,
        responses={200: CommitmentDetailSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request, reference: str):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        commitment = commitment_withdraw(
            commitment=visible_commitment(request, reference),
            by=request.user,
            reason=data.validated_data["reason"],
        )
        return Response(commitment_detail_data(commitment))
