"""The site's own error pages: in the visitor's language, with the way back, never a debug
page or viewflow's Material page."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied
from django.test import Client, RequestFactory
from django.urls import reverse

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
    response = _client(language).get("/no-such-page/")

    html = response.content.decode()
    assert response.status_code == 404
    assert f"<h1>{heading}</h1>" in html
    assert f'href="{reverse("home")}" data-testid="error-home"' in html
    assert 'data-testid="error-back"' in html
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
