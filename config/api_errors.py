"""The API's one error envelope for every refusal, and the handler that produces it.

Every app's API uses it (``REST_FRAMEWORK["EXCEPTION_HANDLER"]``): any
``directory.errors.DomainError`` becomes ``{"code", "message", "fields"}`` with the HTTP status
of its code. Codes are compared by value, so one entry serves every app whose Enum has the
same word (``not_found`` is a 404 whether the directory, the credit record or the commitments
app said it); a code not listed is a 400.

``ApiErrorMiddleware`` puts what Django itself answers under ``/api/`` into the same envelope:
the resolver's 404 (a non-numeric or negative id), a plain view's 405 and the 500 of an
uncaught exception, so a client never has to parse an HTML page.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from commitments.errors import ErrorCode
from credit.errors import CreditErrorCode
from directory.errors import DirectoryErrorCode, DomainError, ErrorSerializer, error_responses

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
    CreditErrorCode.UNAVAILABLE: status.HTTP_503_SERVICE_UNAVAILABLE,
    DirectoryErrorCode.REPRESENTATION_UNPROVEN: status.HTTP_403_FORBIDDEN,
    DirectoryErrorCode.OUT_OF_SCOPE: status.HTTP_403_FORBIDDEN,
    DirectoryErrorCode.REPRESENTATION_EXPIRED: status.HTTP_403_FORBIDDEN,
    DirectoryErrorCode.ALREADY_REPRESENTED: status.HTTP_409_CONFLICT,
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


API_PATH_PREFIX = "/api/"

# Django's own refusals under /api/, by status: (code, message).
DJANGO_REFUSALS = {
    400: ("invalid", gettext_lazy("The request could not be understood.")),
    403: ("permission_denied", gettext_lazy("You do not have permission to do this.")),
    404: ("not_found", gettext_lazy("There is nothing at this address.")),
    405: ("method_not_allowed", gettext_lazy("This method is not allowed here.")),
    413: ("too_large", gettext_lazy("The request is too large.")),
    500: (
        "server_error",
        gettext_lazy("The server failed to answer this request. Please try again later."),
    ),
}


class ApiErrorMiddleware:
    """Answer every refusal under ``/api/`` in the envelope, whoever produced it.

    Responses that already are JSON (DRF's, the credit check's) pass untouched; an HTML or
    empty error page becomes ``{"code", "message", "fields"}`` with the same status and the
    same ``Allow`` header.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not request.path_info.startswith(API_PATH_PREFIX)
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        status_code = 500 if response.status_code >= 500 else response.status_code
        code, message = DJANGO_REFUSALS.get(
            status_code, ("error", gettext_lazy("The request could not be answered."))
        )
        envelope = JsonResponse(
            {"code": code, "message": str(message), "fields": {}},
            status=response.status_code,
            json_dumps_params={"ensure_ascii": False},
        )
        for header in ("Allow", "WWW-Authenticate", "Retry-After"):
            if header in response:
                envelope[header] = response[header]
        return envelope


def _error_response_schema(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _is_authenticated(operation: dict) -> bool:
    return any(requirement for requirement in operation.get("security") or [])


def schema_error_responses(result, generator, request, public):
    """drf-spectacular post-processing: list every refusal each API operation can give.

    What a view declares stays; what any operation of its kind can answer is added: 400 for
    a query string or a body (a field error), 401, 403 and 429 (a lockout, with
    ``Retry-After``) where a token is needed, 404 for an
    object in the path, 415 for a body in a type it does not read; and 414, which the HTTP
    server in front gives for a URL too long, without a body of ours.
    """
    for path, item in result.get("paths", {}).items():
        if not path.startswith(API_PATH_PREFIX):
            continue
        for operation in item.values():
            parameters = operation.get("parameters", [])
            statuses = {}
            if operation.get("requestBody") or any(p["in"] == "query" for p in parameters):
                statuses["400"] = "Refused: a field needs correcting."
            if _is_authenticated(operation):
                statuses["401"] = "No valid token or session."
                statuses["403"] = "The caller may not do this."
                statuses["429"] = (
                    "Locked out after too many failed logins or tokens from this address "
                    "(access.lockout); try again after Retry-After seconds."
                )
            if any(p["in"] == "path" for p in parameters):
                statuses["404"] = "Not found (also for an id that is not a number)."
            if operation.get("requestBody"):
                statuses["415"] = "The body's media type is not one the operation reads."
            responses = operation.setdefault("responses", {})
            for code, description in statuses.items():
                responses.setdefault(code, _error_response_schema(description))
            if "429" in responses:
                responses["429"].setdefault("headers", {})["Retry-After"] = {
                    "schema": {"type": "integer"},
                    "description": "Seconds until the lockout ends.",
                }
            if any(p["in"] == "query" for p in parameters):
                # Answered by the HTTP server in front (gunicorn: a request line over 4,094
                # bytes), before the application: so not in the envelope.
                responses.setdefault(
                    "414", {"description": "The URL is longer than the server reads."}
                )
    return result
