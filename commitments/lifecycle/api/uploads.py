"""Bring your own signature over the API: upload a commitment PDF signed elsewhere.

The applicant signed the rendered commitment with its own certificate (a CA-issued USB key)
and sends it as the ``file`` field of a multipart form or as the whole body
(``Content-Type: application/pdf``); the upload is limited while it streams in
(``SIGNING_UPLOAD_MAX_BYTES``), checked in memory by
``services.signatures.commitment_upload_check`` (right document, intact, trusted, the subject's
certificate) and stored only once every check passed. Every refusal of the file is
a 400 whose ``code`` names the reason (``tampered``, ``untrusted``, ``expired``, ``revoked``,
``wrong_subject``, ``wrong_document``, ``superseded``, ``not_pdf``, ``truncated``, ``too_large``,
``active_content``, ``encrypted``, ``unsigned``) and whose ``message`` explains it to a person.

An accepted upload starts the verification workflow, which lives in the layer above
(``workflows``): the URL configuration of that layer passes its submit service in
(``CommitmentUploadSignedApi.as_view(submit=...)``), so this module never imports it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from commitments.errors import CommitmentError, ErrorCode
from commitments.lifecycle.api.common import (
    CommitmentDetailSerializer,
    commitment_detail_data,
    visible_commitment,
)
from commitments.lifecycle.forms import read_upload
from commitments.lifecycle.models import Commitment
from commitments.lifecycle.services.signatures import (
    REFUSAL_MESSAGES,
    upload_limit_bytes,
    upload_refused,
)
from directory.errors import ErrorSerializer, error_responses

# The reasons ``services.signatures`` gives for refusing a file: the ``code`` of the answer.
UPLOAD_REFUSAL_CODES = tuple(REFUSAL_MESSAGES)


class UploadSignedInputSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="The commitment PDF, as downloaded from the platform and signed elsewhere."
    )

    class Meta:
        ref_name = "UploadSignedInput"


class PdfBodyParser(BaseParser):
    """``Content-Type: application/pdf``: the body is the signed PDF itself (read, with its
    limit, by ``request_upload_bytes``; declared here so content negotiation accepts it)."""

    media_type = "application/pdf"

    def parse(self, stream, media_type=None, parser_context=None):
        return {}


class CommitmentUploadSignedApi(APIView):
    """Submit a commitment signed elsewhere; it is checked, sealed and sent for verification.

    ``submit(commitment=, by=, uploaded_pdf=)`` signs with the upload and starts the
    verification; it is given by the URL configuration (see the module's docstring).
    """

    parser_classes = [MultiPartParser, PdfBodyParser]
    submit: Callable[..., Commitment] | None = None

    @extend_schema(
        operation_id="commitments_upload_signed",
        tags=["commitments"],
        request={
            "multipart/form-data": UploadSignedInputSerializer,
            "application/pdf": OpenApiTypes.BINARY,
        },
        responses={
            200: OpenApiResponse(
                CommitmentDetailSerializer,
                description=(
                    "Accepted: the commitment, under verification (still a draft while the "
                    "timestamp service is down; it is signed once the service answers)."
                ),
            ),
            400: OpenApiResponse(
                ErrorSerializer,
                description=(
                    "Refused; nothing is stored. `code` is `invalid` (no file) or the reason "
                    "the file was refused: " + ", ".join(f"`{c}`" for c in UPLOAD_REFUSAL_CODES)
                ),
            ),
            **error_responses(403, 404, 409),
        },
    )
    def post(self, request, reference: str):
        commitment = visible_commitment(request, reference)
        try:
            data = request_upload_bytes(request)
            if data is None:
                raise CommitmentError(
                    ErrorCode.INVALID, _("Choose the signed PDF file."), field="file"
                )
            if self.submit is None:
                raise ImproperlyConfigured("CommitmentUploadSignedApi needs as_view(submit=...).")
            self.submit(commitment=commitment, by=request.user, uploaded_pdf=data)
        except CommitmentError as error:
            reason = getattr(error, "reason", None)
            if reason is None:
                raise
            return Response(
                {
                    "code": reason,
                    "message": str(error.message),
                    "fields": {"file": [str(error.message)]},
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(commitment_detail_data(visible_commitment(request, commitment.reference)))


def request_upload_bytes(request) -> bytes | None:
    """The uploaded file, limited while it streams in (the body is parsed here, not by DRF):
    the ``file`` field of a multipart form, or the whole body sent as ``application/pdf``."""
    django_request = request._request
    limit = upload_limit_bytes()
    if django_request.content_type == PdfBodyParser.media_type:
        return _pdf_body(django_request, limit)
    if hasattr(django_request, "_files"):  # already parsed (a session client's CSRF check)
        upload = django_request.FILES.get("file")
        if upload is None:
            return None
        if upload.size > limit:
            raise upload_refused("too_large")
        return upload.read()
    return read_upload(django_request, "file", limit)


def _pdf_body(django_request, limit: int) -> bytes | None:
    """A raw ``application/pdf`` body: refused as too large from its declared length before
    it is read, and never read past the limit; None when empty."""
    declared = int(django_request.META.get("CONTENT_LENGTH") or 0)
    if declared > limit:
        raise upload_refused("too_large")
    data = django_request.read(limit + 1)
    if len(data) > limit:
        raise upload_refused("too_large")
    return data or None
