"""The signing proof over the API (``access.ceremony``): the ``password`` field and its check.

Every API signature carries the signer's password, with a token or a session alike: a token
proves a system or a script, and a session's earlier login is not a proof made for this
signature. A person without a password (identity provider only) signs on the pages, where the
provider is asked for a fresh login; over the API, a session of such a person may use a
provider proof made on the page for the same purpose, once.
"""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication

from access.ceremony import signing_proof

PROOF_HELP = (
    "The signer's password, checked for this one signature (or batch): required with a token "
    "and with a session alike; a wrong one counts towards the lockout."
)


def signing_password_field() -> serializers.CharField:
    return serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        write_only=True,
        help_text=PROOF_HELP,
    )


def api_signing_proof(request, *, password: str, purpose: str) -> str:
    """Refuse (``AccessError``: 400 on ``password``) unless this signature is proven."""
    return signing_proof(
        request._request,
        user=request.user,
        password=password,
        purpose=purpose,
        by_session=isinstance(request.successful_authenticator, SessionAuthentication),
    )
