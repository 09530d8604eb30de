"""``manage.py identity_provider_discover ISSUER``: the endpoints as environment lines."""

from __future__ import annotations

from typing import Any

import requests
from django.core.management.base import BaseCommand, CommandError

# The discovery document's field for each setting (OpenID Connect Discovery 1.0, section 3).
ENDPOINTS = {
    "CHENGNUO_OIDC_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "CHENGNUO_OIDC_TOKEN_ENDPOINT": "token_endpoint",
    "CHENGNUO_OIDC_USERINFO_ENDPOINT": "userinfo_endpoint",
    "CHENGNUO_OIDC_JWKS_ENDPOINT": "jwks_uri",
}


class Command(BaseCommand):
    """Read the issuer's ``/.well-known/openid-configuration`` and print the settings it gives.

    The site reads the endpoints from the environment, never from the network at start, so an
    operator runs this once when configuring the provider (and again if the provider moves).
    """

    help = "Print the CHENGNUO_OIDC_* endpoint variables from an issuer's discovery document."

    def add_arguments(self, parser) -> None:
        parser.add_argument("issuer", help="The identity provider's issuer URL.")

    def handle(self, *args: Any, **options: Any) -> None:
        issuer = options["issuer"].rstrip("/")
        url = f"{issuer}/.well-known/openid-configuration"
        try:
            response = requests.get(url, timeout=10)
            response.raise_for_status()
            document = response.json()
        except (requests.RequestException, ValueError) as error:
            raise CommandError(f"No discovery document at {url}: {error}") from error
        if document.get("issuer") != issuer:
            raise CommandError(
                f"The discovery document names the issuer {document.get('issuer')!r}, "
                f"not {issuer!r}: ID tokens would be refused."
            )
        missing = [field for field in ENDPOINTS.values() if field not in document]
        if set(missing) - {"userinfo_endpoint"}:
            raise CommandError(f"The discovery document lacks {', '.join(missing)}.")
        self.stdout.write(f"CHENGNUO_OIDC_ISSUER={issuer}")
        for variable, field in ENDPOINTS.items():
            if field in document:
                self.stdout.write(f"{variable}={document[field]}")
        algorithms = document.get("id_token_signing_alg_values_supported") or ["RS256"]
        algorithm = "RS256" if "RS256" in algorithms else algorithms[0]
        self.stdout.write(f"CHENGNUO_OIDC_SIGN_ALGORITHM={algorithm}")
        self.stdout.write(f"# scopes offered: {' '.join(document.get('scopes_supported', []))}")
        self.stdout.write(f"# claims offered: {' '.join(document.get('claims_supported', []))}")
