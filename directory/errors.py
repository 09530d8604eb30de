"""The base of every domain app's one error type, the error envelope it answers with in the
API (and its schema), and the directory's own error type.

Each app raises one exception type (a subclass of ``DomainError``) whose code comes from that
app's one Enum. Pages and the API catch ``DomainError`` and map its code to a message or an
HTTP status in one place (``config.api_errors``), so no layer re-wraps another's errors.
"""

from __future__ import annotations

from enum import StrEnum

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class DomainError(Exception):
    """A refusal the user can act on: a stable code, the field at fault and a message."""

    def __init__(
        self,
        code: StrEnum,
        message: str,
        *,
        field: str | None = None,
        fields: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.field = field
        self.fields = fields or ({field: [str(message)]} if field else {})

    def as_dict(self) -> dict:
        return {
            "code": str(self.code),
            "message": str(self.message),
            "fields": {name: [str(m) for m in messages] for name, messages in self.fields.items()},
        }


def refusal_into_form(form, error: DomainError) -> None:
    """Show a service's refusal on a page's form: each message on its field when the form has
    it, else at the top (the error summary lists both, linked)."""
    if not error.fields:
        form.add_error(None, str(error.message))
        return
    for name, messages in error.fields.items():
        for message in messages:
            form.add_error(name if name in form.fields else None, str(message))


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


class DirectoryErrorCode(StrEnum):
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    DATE_OUT_OF_RANGE = "date_out_of_range"
    IDENTITY_TOKEN_INVALID = "identity_token_invalid"  # noqa: S105 (a code, not a secret)
    IDENTITY_CLAIMS_INVALID = "identity_claims_invalid"
    IDENTITY_PROVIDER_REFUSED = "identity_provider_refused"
    IDENTITY_PROVIDER_UNAVAILABLE = "identity_provider_unavailable"
    IDENTITY_LOGIN_UNKNOWN = "identity_login_unknown"
    FORBIDDEN = "forbidden"
    INVALID_STATE = "invalid_state"
    REPRESENTATION_UNPROVEN = "representation_unproven"
    OUT_OF_SCOPE = "out_of_scope"
    REPRESENTATION_EXPIRED = "representation_expired"
    ALREADY_REPRESENTED = "already_represented"


class DirectoryError(DomainError):
    """A refusal about who or where: an invalid identifier, an unknown subject, a representation
    that is not proven or does not cover the act."""
