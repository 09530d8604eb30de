"""The site's own error pages: in the visitor's language, with the way back, never a debug
page or viewflow's Material page."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views import defaults

from config import views

# Latin words that may stand on a Chinese page: the brand's Latin name and nothing else.
ALLOWED_LATIN = {"Chengnuo", "GNU", "Affero", "General", "Public", "License"}
HAN = re.compile(r"[\u4e00-\u9fff]")


def _visible_text(html: str) -> str:
    """Return what a person reads: no tags, attributes, scripts or styles."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def _latin_words(html: str) -> set[str]:
    return set(re.findall(r"[A-Za-z]{2,}", _visible_text(html)))


def _client(language: str | None) -> Client:
    client = Client(raise_request_exception=False)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _assert_language(html: str, language: str) -> None:
    if language == "en":
        assert '<html lang="en">' in html
        assert HAN.findall(_visible_text(html).replace("承诺", "")) == []
    else:
        assert '<html lang="zh-hans">' in html
        assert _latin_words(html) - ALLOWED_LATIN == set()


@pytest.fixture(autouse=True)
def _production_like(settings):
    settings.DEBUG = False


@pytest.mark.parametrize(("language", "heading"), [(None, "页面不存在"), ("en", "Page not found")])
def test_unknown_address_shows_our_404_in_the_visitors_language(db, language, heading):
    response = _client(language).get(
        "/no-such-page/", HTTP_REFERER="http://testserver/commitments/"
    )

    html = response.content.decode()
    assert response.status_code == 404
    assert f"<h1>{heading}</h1>" in html
    assert f'href="{reverse("home")}" data-testid="error-home"' in html
    # The way back is a plain link to where the visitor came from (the CSP runs no
    # ``javascript:`` link).
    assert 'href="http://testserver/commitments/" data-testid="error-back"' in html
    assert "javascript:" not in html
    _assert_language(html, language or "zh-hans")


@pytest.mark.parametrize(
    ("language", "heading"),
    [(None, "服务器出错了"), ("en", "Something went wrong on our side")],
)
@pytest.mark.urls("tests.config.raising_urls")
def test_a_page_that_raises_shows_our_500_not_viewflows(db, language, heading):
    response = _client(language).get("/broken/")

    html = response.content.decode()
    assert response.status_code == 500
    assert f"<h1>{heading}</h1>" in html
    assert 'data-testid="error-home"' in html
    assert "viewflow" not in html.lower()
    assert "Traceback" not in html
    assert "a bug in a page" not in html
    _assert_language(html, language or "zh-hans")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_500_page_needs_no_database(db, django_assert_num_queries, language):
    request = RequestFactory().get("/", HTTP_ACCEPT_LANGUAGE=language)

    with django_assert_num_queries(0):
        response = views.server_error(request)

    assert response.status_code == 500
    _assert_language(response.content.decode(), language)


@pytest.mark.parametrize(
    ("view", "exception", "status", "heading"),
    [
        (
            views.bad_request,
            BadRequest(),
            400,
            {"zh-hans": "无法理解这个请求", "en": "The request could not be understood"},
        ),
        (
            views.permission_denied,
            PermissionDenied(),
            403,
            {"zh-hans": "您无权打开此页面", "en": "You may not open this page"},
        ),
        (views.page_not_found, None, 404, {"zh-hans": "页面不存在", "en": "Page not found"}),
    ],
)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_each_status_page_speaks_one_language_and_offers_the_way_home(
    db, view, exception, status, heading, language
):
    request = RequestFactory().get("/somewhere/", HTTP_ACCEPT_LANGUAGE=language)

    response = view(request, exception)

    html = response.content.decode()
    assert response.status_code == status
    assert f"<h1>{heading[language]}</h1>" in html
    assert f'href="{reverse("home")}" data-testid="error-home"' in html
    _assert_language(html, language)


def test_a_refused_page_offers_login_to_a_visitor_who_is_not_signed_in(world):
    client = _client(None)

    response = client.get(reverse("workflows:inbox"))
    refused = views.permission_denied(RequestFactory().get("/regulator/"), PermissionDenied())

    assert response.status_code == 302  # pages that need a login send there first
    assert refused.status_code == 403
    assert 'href="/accounts/login/?next=/regulator/" data-testid="error-login"' in (
        refused.content.decode()
    )


def test_a_signed_in_person_refused_a_page_gets_our_403_without_login_link(world):
    client = _client("en")
    client.force_login(world.applicant)

    response = client.get(reverse("workflows:inbox"))

    html = response.content.decode()
    assert response.status_code == 403
    assert "<h1>You may not open this page</h1>" in html
    assert 'data-testid="error-login"' not in html


@pytest.mark.parametrize(
    ("language", "heading"), [(None, "表单已失效"), ("en", "The form has expired")]
)
def test_a_post_without_its_csrf_token_gets_our_csrf_page(world, language, heading):
    client = Client(enforce_csrf_checks=True)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    response = client.post(reverse("login"), {"username": "applicant", "password": "pw-12345678"})

    html = response.content.decode()
    assert response.status_code == 403
    assert f"<h1>{heading}</h1>" in html
    assert 'href="/accounts/login/" data-testid="error-login"' in html
    assert "_auth_user_id" not in client.session
    _assert_language(html, language or "zh-hans")


def test_no_way_back_is_offered_to_another_site_or_without_a_previous_page(db):
    elsewhere = _client("en").get("/no-such-page/", HTTP_REFERER="https://evil.example/")
    direct = _client("en").get("/no-such-page/")

    for response in (elsewhere, direct):
        assert 'data-testid="error-back"' not in response.content.decode()
        assert 'data-testid="error-home"' in response.content.decode()


@pytest.mark.parametrize(
    ("language", "heading", "reason"),
    [
        ("zh-hans", "您无权打开此页面", "此区域仅供部门工作人员使用。"),
        ("en", "You may not open this page", "This area is for department staff."),
    ],
)
@pytest.mark.parametrize("debug", [False, True])
def test_a_refused_page_says_why_in_the_users_language_in_debug_too(
    world, settings, language, heading, reason, debug
):
    settings.DEBUG = debug
    client = Client(raise_request_exception=False, headers={"accept-language": language})
    client.force_login(world.applicant)

    response = client.get(reverse("workflows:inbox"))

    html = response.content.decode()
    assert response.status_code == 403
    assert f"<h1>{heading}</h1>" in html
    assert f'<p class="notice" data-testid="error-reason">{reason}</p>' in html
    assert "another user" not in html.lower()
    _assert_language(html, language)


@pytest.mark.parametrize(
    ("status", "heading"),
    [
        (400, "The request could not be understood"),
        (403, "You may not open this page"),
        (404, "Page not found"),
        (500, "Something went wrong on our side"),
    ],
)
def test_djangos_own_error_views_render_our_pages_not_viewflows(db, status, heading):
    """A refusal rendered by Django's default views (any code path that bypasses the
    handlers) finds the project's NNN.html before viewflow's Material ones."""
    request = RequestFactory().get("/somewhere/")
    view = {
        400: lambda: defaults.bad_request(request, BadRequest()),
        403: lambda: defaults.permission_denied(request, PermissionDenied()),
        404: lambda: defaults.page_not_found(request, Http404()),
        500: lambda: defaults.server_error(request),
    }[status]

    with translation.override("en"):
        html = view().content.decode()

    assert f"<h1>{heading}</h1>" in html
    assert f'data-status="{status}"' in html
    assert "another user" not in html.lower()
    assert "material" not in html.lower()


def test_the_embedded_default_runs_without_debug_unless_asked(tmp_path):
    """`make run` shows people the site's own 404 and 500 pages; DJANGO_DEBUG=true is the
    developer's way back to Django's debug pages."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DJANGO_DEBUG", "DJANGO_SETTINGS_MODULE")
    }
    environment["CHENGNUO_DATA_DIR"] = str(tmp_path)
    script = "from config.settings import local; print(local.DEBUG, local.WHITENOISE_USE_FINDERS)"

    default = subprocess.run(
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True, check=True
    )
    asked = subprocess.run(
        [sys.executable, "-c", script],
        env={**environment, "DJANGO_DEBUG": "true"},
        capture_output=True,
        text=True,
        check=True,
    )

    assert default.stdout.split() == ["False", "True"]
    assert asked.stdout.split() == ["True", "True"]
