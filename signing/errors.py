"""Errors raised by the signing app: one base class with a stable code, then specific cases.

Callers (services, views, APIs) catch ``SigningError`` and map ``code`` to a message or an
HTTP status; they never see a pyHanko, cryptography or OS exception, so the library behind
the adapter can change without touching them.
"""

from __future__ import annotations

from enum import StrEnum


class SigningErrorCode(StrEnum):
    """Stable, machine-readable codes; their values appear in API responses and logs."""

    CA_MISSING = "ca_missing"
    CA_INVALID = "ca_invalid"
    FONT_MISSING_GLYPH = "font_missing_glyph"
    INVALID_IDENTITY = "invalid_identity"
    INVALID_DOCUMENT = "invalid_document"
    INVALID_PDF = "invalid_pdf"
    SIGNING_FAILED = "signing_failed"
    DOCUMENT_TAMPERED = "document_tampered"
    DOCUMENT_MISSING = "document_missing"
    STORAGE_MISCONFIGURED = "storage_misconfigured"
    STORAGE_UNAVAILABLE = "storage_unavailable"
    INVALID_TIMESTAMP_REQUEST = "invalid_timestamp_request"
    TIMESTAMP_UNAVAILABLE = "timestamp_unavailable"
    SIGNATURE_REFUSED = "signature_refused"
    RECEIPT_INVALID = "receipt_invalid"


class SigningError(Exception):
    """Base of every error the signing app raises on purpose: a stable code and a message."""

    def __init__(self, code: SigningErrorCode, message: str) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"


class _CodedError(SigningError):
    """A specific error whose code is fixed by its class, so raising it takes only a message."""

    default_code: SigningErrorCode

    def __init__(self, message: str) -> None:
        super().__init__(self.default_code, message)


class CertificateAuthorityMissing(_CodedError):
    """The CA files are absent and this deployment may not create them."""

    default_code = SigningErrorCode.CA_MISSING


class CertificateAuthorityInvalid(_CodedError):
    """The CA files exist but cannot be read (bad PEM, wrong password, key mismatch)."""

    default_code = SigningErrorCode.CA_INVALID


class MissingGlyph(_CodedError):
    """No available font can draw some character of the document."""

    default_code = SigningErrorCode.FONT_MISSING_GLYPH


class InvalidIdentity(_CodedError):
    """The signer identity cannot be put in a certificate (empty name, bad code)."""

    default_code = SigningErrorCode.INVALID_IDENTITY


class InvalidDocument(_CodedError):
    """A commitment document cannot be rendered as given (e.g. an unsupported language)."""

    default_code = SigningErrorCode.INVALID_DOCUMENT


class InvalidPdf(_CodedError):
    """The bytes are not a PDF this app can read, sign or validate."""

    default_code = SigningErrorCode.INVALID_PDF


class SigningFailed(_CodedError):
    """Producing a signature failed for a reason other than the input PDF."""

    default_code = SigningErrorCode.SIGNING_FAILED


class DocumentTampered(_CodedError):
    """Stored bytes no longer hash to the SHA-256 under which they were stored."""

    default_code = SigningErrorCode.DOCUMENT_TAMPERED


class DocumentMissing(_CodedError):
    """A stored document's bytes are not in the storage backend."""

    default_code = SigningErrorCode.DOCUMENT_MISSING


class StorageMisconfigured(_CodedError):
    """``SIGNING_STORAGE_BACKEND`` does not name a usable backend class."""

    default_code = SigningErrorCode.STORAGE_MISCONFIGURED


class StorageUnavailable(_CodedError):
    """The storage backend did not answer (down, refused, timed out): try again later."""

    default_code = SigningErrorCode.STORAGE_UNAVAILABLE


class InvalidTimestampRequest(_CodedError):
    """The bytes sent to the timestamp authority are not an RFC 3161 request it serves."""

    default_code = SigningErrorCode.INVALID_TIMESTAMP_REQUEST


class TimestampUnavailable(_CodedError):
    """The timestamp service did not answer (down, timeout, refusal): try again later."""

    default_code = SigningErrorCode.TIMESTAMP_UNAVAILABLE


class SignatureRefused(_CodedError):
    """An uploaded signed PDF is refused; ``reason`` says why in a stable word.

    Reasons: ``not_pdf``, ``too_large``, ``truncated``, ``encrypted``, ``active_content``,
    ``unsigned``, ``tampered``, ``wrong_document``, ``untrusted``, ``expired``, ``revoked``,
    ``wrong_subject``.
    """

    default_code = SigningErrorCode.SIGNATURE_REFUSED

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class ReceiptInvalid(_CodedError):
    """A transparency-log receipt does not verify; ``reason`` says which check failed."""

    default_code = SigningErrorCode.RECEIPT_INVALID

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
