"""The administrators' page of API tokens, and axes' audit rows in the admin."""

from __future__ import annotations

import re

import pytest
from axes.models import AccessFailureLog, AccessLog
from django.contrib.auth.hashers import identify_hasher
from django.test import Client
from django.utils import translation

from access.models import ApiToken
from access.selectors import token_hash
from access.services import token_issue
from tests.factories import UserFactory

CHANGELIST = "/admin/access/apitoken/"


@pytest.fixture
def admin_client_en(db) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(UserFactory(username="admin", is_staff=True, is_superuser=True))
    return client


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_issuing_in_the_admin_shows_the_secret_once(admin_client_en):
    system = UserFactory(username="api-system")

    response = admin_client_en.post(
        f"{CHANGELIST}add/", {"user": system.pk, "name": "approvals", "expires_at": ""}, follow=True
    )

    [message] = [m for m in _messages(response) if "shown only this once" in m]
    secret = re.search(r"once: (\w+)", message).group(1)
    token = ApiToken.objects.get()
    assert token.key_hash == token_hash(secret)
    assert token.created_by.username == "admin"
    detail = admin_client_en.get(f"{CHANGELIST}{token.pk}/change/").content.decode()
    assert secret not in detail
    assert token.prefix in detail


def test_rotate_and_revoke_actions(admin_client_en):
    first = token_issue(user=UserFactory(), name="one", by=None).token
    second = token_issue(user=UserFactory(), name="two", by=None).token

    rotated = admin_client_en.post(
        CHANGELIST, {"action": "rotate_tokens", "_selected_action": [first.pk]}, follow=True
    )
    revoked = admin_client_en.post(
        CHANGELIST, {"action": "revoke_tokens", "_selected_action": [second.pk]}, follow=True
    )

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.replaced_by is not None
    assert any("The new secret, shown only this once" in m for m in _messages(rotated))
    assert second.revoked_by.username == "admin"
    assert "1 token revoked." in _messages(revoked)


def test_tokens_are_never_deleted_in_the_admin(admin_client_en):
    token = token_issue(user=UserFactory(), name="one", by=None).token

    response = admin_client_en.get(f"{CHANGELIST}{token.pk}/delete/")

    assert response.status_code == 403


def test_failed_logins_are_visible_in_the_admin(admin_client_en):
    Client(REMOTE_ADDR="10.0.0.3").post(
        "/accounts/login/", {"username": "regulator", "password": "wrong"}
    )

    page = admin_client_en.get("/admin/axes/accessfailurelog/")

    assert page.status_code == 200
    assert AccessFailureLog.objects.get().ip_address == "10.0.0.3"
    assert "10.0.0.3" in page.content.decode()
    assert admin_client_en.get("/admin/axes/accessattempt/").status_code == 200


def test_a_name_the_platform_gave_a_token_reads_in_the_readers_language(admin_client_en):
    system = UserFactory(username="approvals-system")
    token = token_issue(user=system, name="calling system approvals", by=None).token
    typed = token_issue(user=system, name="nightly export", by=None).token

    english = admin_client_en.get(CHANGELIST).content.decode()
    chinese = admin_client_en.get(CHANGELIST, headers={"accept-language": "zh-hans"})

    assert "calling system approvals" in english
    assert "调用系统 approvals" in chinese.content.decode()
    assert "calling system" not in chinese.content.decode()
    assert "nightly export" in chinese.content.decode()  # typed: kept as typed
    with translation.override("zh-hans"):
        assert str(token) == f"调用系统 approvals ({token.prefix}…)"
        assert typed.shown_name == "nightly export"
    assert ApiToken.objects.get(pk=token.pk).name == "calling system approvals"  # as stored


def test_a_users_password_summary_is_marked_as_codes_not_words(admin_client_en):
    user = UserFactory(username="officer")
    user.set_password("a long enough password")
    user.save()

    page = admin_client_en.get(f"/admin/auth/user/{user.pk}/change/").content.decode()

    summary = identify_hasher(user.password).safe_summary(user.password)
    assert summary  # the algorithm, the masked salt and digest
    for value in summary.values():
        assert f'<span lang="zxx" translate="no">{value}</span>' in page


def test_axes_login_log_is_named_in_the_readers_language(admin_client_en):
    log = AccessLog.objects.create(
        username="officer", ip_address="127.0.0.1", user_agent="<unknown>", path_info="/login/"
    )
    url = f"/admin/axes/accesslog/{log.pk}/change/"

    chinese = admin_client_en.get(url, headers={"accept-language": "zh-hans"}).content.decode()
    english = admin_client_en.get(url).content.decode()
    listed = admin_client_en.get(
        "/admin/axes/accesslog/", headers={"accept-language": "zh-hans"}
    ).content.decode()

    assert "officer 于 " in chinese and "的登录" in chinese
    assert "Access Log for" not in chinese and "&lt;unknown&gt;" not in chinese
    assert "未知" in chinese and "Login of officer at" in english
    assert "选择此对象执行操作 - officer 于 " in listed and "Access Log for" not in listed
