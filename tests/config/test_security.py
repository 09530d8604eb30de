"""Production's security settings and the Content-Security-Policy every response carries."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_REQUEST = """
import django
django.setup()
from django.test import Client
plain = Client().get("/accounts/login/")
print("plain", plain.status_code, plain.headers.get("Location"))
secure = Client().get("/accounts/login/", secure=True)
for name in ("Strict-Transport-Security", "Content-Security-Policy", "X-Content-Type-Options",
             "Referrer-Policy", "X-Frame-Options"):
    print(name, "=", secure.headers.get(name))
"""


def _production(tmp_path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={
            # not the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE: a deployment must not set it
            **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "testserver,chengnuo.example.gov.cn",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite3'}",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_passes_the_deployment_check(tmp_path):
    result = _production(tmp_path, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_redirects_to_https_and_sends_the_security_headers(tmp_path):
    result = _production(tmp_path, "-c", PRODUCTION_REQUEST)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "plain 301 https://testserver/accounts/login/"
    headers = dict(line.split(" = ", 1) for line in lines[1:])
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"


def _plain_pages() -> list[str]:
    """Every page of the site that takes no argument (the API and the admin aside)."""
    found = []

    def walk(patterns, prefix: str) -> None:
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, route)
            elif isinstance(entry, URLPattern) and "<" not in route and "(" not in route:
                found.append("/" + route.lstrip("^").rstrip("$"))

    walk(get_resolver().url_patterns, "")
    return sorted(
        p for p in set(found) if not p.startswith(("/api/", "/admin/", "/i18n/", "/tsa/"))
    )


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>")
INLINE_HANDLER = re.compile(r"\son[a-z]+=\"", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=\"", re.I)


@pytest.mark.django_db
def test_every_page_sends_the_policy_and_has_no_inline_script_or_style(world, admin_client_):
    # given every page without arguments, as an anonymous visitor, an applicant and an admin
    clients = [Client(), admin_client_]
    applicant = Client()
    applicant.force_login(world.applicant)
    clients.append(applicant)
    checked = 0
    for client in clients:
        for path in _plain_pages():
            response = client.get(path)
            # then each carries the policy, and the HTML it sends needs no inline code
            assert "default-src 'self'" in response.headers["Content-Security-Policy"], path
            if response.headers.get("Content-Type", "").startswith("text/html"):
                html = response.content.decode()
                assert not INLINE_SCRIPT.search(html), path
                assert not INLINE_HANDLER.search(html), path
                assert not INLINE_STYLE.search(html), path
                checked += 1
    assert checked > 30


@pytest.mark.django_db
def test_the_api_documentation_loads_its_assets_from_this_site(admin_client_):
    page = admin_client_.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert not INLINE_SCRIPT.search(html)
    assert "cdn" not in html.lower()
    [script] = re.findall(r'<script src="(/api/docs/\?script=[^"]*)"', html)
    loaded = admin_client_.get(script.replace("&amp;", "&"))
    assert loaded.status_code == 200
    assert b"SwaggerUIBundle" in loaded.content


@pytest.mark.django_db
def test_a_session_lasts_a_working_day_and_ends_with_the_browser(world):
    # when the applicant signs in on the page
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": world.applicant.username, "password": "pw-12345678"}
    )

    # then the session cookie is for this browser session only, and the session expires in 8 h
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert cookie["expires"] == "" and cookie["max-age"] == ""
    assert client.session.get_expiry_age() == 8 * 3600
