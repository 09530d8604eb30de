"""The API's one error envelope for every refusal, and the handler that produces it.

Every app's API uses it (``REST_FRAMEWORK["EXCEPTION_HANDLER"]``): any
``directory.errors.DomainError`` becomes ``{"code", "message", "fields"}`` with the HTTP status
of its code. Codes are compared by value, so one entry serves every app whose Enum has the
same word (``not_found`` is a 404 whether the directory, the credit record or the commitments
app said it); a code not listed is a 400.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from commitments.errors import ErrorCode
from credit.errors import CreditErrorCode
from directory.errors import DomainError, ErrorSerializer, error_responses

__all__ = ["ErrorSerializer", "error_responses", "exception_handler"]

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
    CreditErrorCode.NO_RULE_SET: status.HTTP_400_BAD_REQUEST,
}


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
    if (
        request is not None
        and getattr(getattr(request, "accepted_renderer", None), "format", None) == "pdf"
    ):
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type
    if isinstance(exc, DomainError):
        return Response(
            exc.as_dict(), status=ERROR_STATUS.get(exc.code, status.HTTP_400_BAD_REQUEST)
        )
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
