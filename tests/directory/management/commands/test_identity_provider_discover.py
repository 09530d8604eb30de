"""``identity_provider_discover`` reads a real provider's discovery document into settings."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.notifications.peers import free_port

pytestmark = pytest.mark.integration


def test_the_providers_endpoints_are_printed_as_environment_lines(identity_provider_process):
    provider = identity_provider_process
    out = StringIO()

    call_command("identity_provider_discover", provider.issuer, stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[:6] == [
        f"CHENGNUO_OIDC_ISSUER={provider.issuer}",
        f"CHENGNUO_OIDC_AUTHORIZATION_ENDPOINT={provider.issuer}/auth",
        f"CHENGNUO_OIDC_TOKEN_ENDPOINT={provider.issuer}/token",
        f"CHENGNUO_OIDC_USERINFO_ENDPOINT={provider.issuer}/me",
        f"CHENGNUO_OIDC_JWKS_ENDPOINT={provider.issuer}/jwks",
        "CHENGNUO_OIDC_SIGN_ALGORITHM=RS256",
    ]
    assert "enterprise" in lines[6]
    assert "uscc" in lines[7]


def test_an_issuer_that_is_not_the_documents_own_is_refused(identity_provider_process):
    issuer = identity_provider_process.issuer.replace("127.0.0.1", "localhost")

    with pytest.raises(CommandError, match="names the issuer"):
        call_command("identity_provider_discover", issuer, stdout=StringIO())


def test_no_provider_at_the_address_is_a_clear_error():
    with pytest.raises(CommandError, match="No discovery document at"):
        call_command(
            "identity_provider_discover", f"http://127.0.0.1:{free_port()}", stdout=StringIO()
        )
