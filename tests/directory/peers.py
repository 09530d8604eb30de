"""A real OpenID Connect provider for the tests: panva's oidc-provider (OpenID Certified) in
Node.js (``tests/directory/oidc_provider``), started on a free port, and a browser for its
login and consent pages."""

from __future__ import annotations

import json
import re
import secrets
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import requests

from tests.notifications.peers import free_port

PROVIDER_DIR = Path(__file__).resolve().parent / "oidc_provider"
ACCOUNTS = json.loads((PROVIDER_DIR / "accounts.json").read_text())
CALLBACK_URL = "http://testserver/accounts/oidc/callback/"
FORM_ACTION = re.compile(r'<form method="post" action="([^"]+)"')


class IdentityProvider:
    """The provider in its own process: ``client_id``/``client_secret`` are this site's, the
    ``other`` client is another application registered at the same provider."""

    def __init__(self) -> None:
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.client_id, self.client_secret = "chengnuo", secrets.token_urlsafe(24)
        self.other_client_id, self.other_secret = "other-app", secrets.token_urlsafe(24)
        self.other_callback = "http://other.example/callback"
        self.process: subprocess.Popen | None = None

    def start(self, *, timeout: float = 20.0) -> IdentityProvider:
        node = shutil.which("node")
        if node is None or not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
            raise RuntimeError(
                f"The identity provider needs Node.js 20 and `npm ci` in {PROVIDER_DIR} "
                "(scripts/test does both)."
            )
        clients = [
            {
                "client_id": self.client_id,
                "client_secret": self.client_secret,
                "redirect_uris": [CALLBACK_URL],
                # every ID token says when the person logged in, even without max_age: the
                # signing ceremony compares it with the press of Sign
                "require_auth_time": True,
            },
            {
                "client_id": self.other_client_id,
                "client_secret": self.other_secret,
                "redirect_uris": [self.other_callback],
            },
        ]
        self.process = subprocess.Popen(  # noqa: S603 (our own script, fixed arguments)
            [node, "provider.mjs", str(self.port), json.dumps(clients)],
            cwd=PROVIDER_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                output = self.process.stdout.read() if self.process.stdout else ""
                raise RuntimeError(f"The identity provider stopped at start:\n{output}")
            try:
                response = requests.get(self.discovery_url, timeout=1)
            except requests.ConnectionError:
                response = None
            if response is not None and response.status_code == 200:
                self.discovery = response.json()
                return self
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"The identity provider did not answer within {timeout} s")
            time.sleep(0.05)  # between attempts at the port, not a wait for a state

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process is not None and self.process.stdout:
            self.process.stdout.close()

    def settings(self) -> dict:
        """The site's settings for this provider, as the environment would give them."""
        return {
            "CHENGNUO_OIDC_ENABLED": True,
            "CHENGNUO_OIDC_ISSUER": self.issuer,
            "OIDC_RP_CLIENT_ID": self.client_id,
            "OIDC_RP_CLIENT_SECRET": self.client_secret,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": self.discovery["authorization_endpoint"],
            "OIDC_OP_TOKEN_ENDPOINT": self.discovery["token_endpoint"],
            "OIDC_OP_USER_ENDPOINT": self.discovery["userinfo_endpoint"],
            "OIDC_OP_JWKS_ENDPOINT": self.discovery["jwks_uri"],
            "OIDC_RP_SCOPES": "openid profile enterprise",
            "CHENGNUO_OIDC_CLAIMS": {
                "subject_code": "uscc",
                "subject_name": "enterprise_name",
                "role": "enterprise_role",
                "person_name": "name",
            },
            "AUTHENTICATION_BACKENDS": [
                "access.lockout.LockoutBackend",
                "django.contrib.auth.backends.ModelBackend",
                "directory.oidc.IdentityProviderBackend",
            ],
            "ACCESS_IDENTITY_PROVIDER_BACKENDS": ["directory.oidc.IdentityProviderBackend"],
            "ACCESS_IDENTITY_PROVIDER_REAUTH_URL": "/accounts/oidc/login/?reauthenticate=1",
        }

    def authorize(
        self,
        authorization_url: str,
        *,
        login: str,
        password: str,
        browser: requests.Session | None = None,
    ) -> str:
        """Be the person's browser at the provider: log in, consent, and return where the
        provider sends the browser back (the callback URL with its code and state). With
        ``browser``, its cookies (the provider's own session) are kept between logins."""
        browser = browser or requests.Session()
        url = authorization_url
        for _step in range(10):
            response = browser.get(url, allow_redirects=False, timeout=10)
            if response.status_code in (302, 303):
                url = urljoin(self.issuer, response.headers["Location"])
                if not url.startswith(self.issuer):
                    return url
                continue
            assert response.status_code == 200, response.text
            action = urljoin(self.issuer, FORM_ACTION.search(response.text).group(1))
            form = {"login": login, "password": password} if action.endswith("/login") else {}
            response = browser.post(action, data=form, allow_redirects=False, timeout=10)
            assert response.status_code == 303, response.text
            url = urljoin(self.issuer, response.headers["Location"])
        raise AssertionError("the provider's login did not end at the callback")

    def id_token_for_other_client(self, *, login: str, password: str, nonce: str) -> str:
        """A genuine ID token issued to the other application, with the given nonce."""
        callback = self.authorize(
            self.discovery["authorization_endpoint"]
            + "?"
            + urlencode(
                {
                    "client_id": self.other_client_id,
                    "response_type": "code",
                    "scope": "openid profile enterprise",
                    "redirect_uri": self.other_callback,
                    "state": secrets.token_urlsafe(8),
                    "nonce": nonce,
                }
            ),
            login=login,
            password=password,
        )
        code = dict(parse_qsl(urlsplit(callback).query))["code"]
        response = requests.post(
            self.discovery["token_endpoint"],
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": self.other_callback,
            },
            auth=(self.other_client_id, self.other_secret),
            timeout=10,
        )
        response.raise_for_status()
        return response.json()["id_token"]


def callback_path(url: str) -> str:
    """The callback URL as the Django test client takes it (path and query)."""
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == "http://testserver", url
    return f"{parts.path}?{parts.query}"
