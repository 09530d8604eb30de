"""``manage.py api_token``: create, rotate, revoke and list API tokens."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient

from access.models import ApiToken
from access.selectors import token_hash
from tests.factories import UserFactory


def _run(*arguments: str) -> str:
    out = StringIO()
    call_command("api_token", *arguments, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def _works(secret: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client.get("/api/v1/subjects/").status_code


@pytest.mark.django_db
def test_create_prints_a_working_secret_that_is_stored_only_as_a_digest(settings):
    settings.ACCESS_TOKEN_DAYS = 30
    account = UserFactory(username="credit-platform")

    secret = _run("create", "credit-platform", "--name", "approvals")

    token = ApiToken.objects.get()
    assert token.user == account and token.name == "approvals"
    assert token.key_hash == token_hash(secret)
    assert (token.expires_at - token.created_at).days == 30
    assert _works(secret) == 200


@pytest.mark.django_db
def test_create_refuses_unknown_and_inactive_accounts(english):
    UserFactory(username="dormant", is_active=False)
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        _run("create", "nobody")
    with pytest.raises(CommandError, match="inactive"):
        _run("create", "dormant")
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_rotate_prints_the_successor_and_the_old_secret_works_until_the_overlap_ends():
    UserFactory(username="credit-platform")
    old = _run("create", "credit-platform")
    token = ApiToken.objects.get()

    new = _run("rotate", str(token.pk), "--overlap-hours", "0")

    assert new != old
    assert (_works(old), _works(new)) == (401, 200)
    token.refresh_from_db()
    assert token.replaced_by.key_hash == token_hash(new)


@pytest.mark.django_db
def test_revoke_needs_a_reason_and_ends_the_token_at_once(english):
    UserFactory(username="credit-platform")
    secret = _run("create", "credit-platform")
    token = ApiToken.objects.get()

    with pytest.raises(CommandError):
        _run("revoke", str(token.pk))
    output = _run("revoke", str(token.pk), "--reason", "the system was retired")

    assert output == f"Token {token.pk} revoked."
    assert _works(secret) == 401
    with pytest.raises(CommandError, match="already revoked"):
        _run("revoke", str(token.pk), "--reason", "again")


@pytest.mark.django_db
def test_list_shows_each_token_state_and_never_a_secret():
    UserFactory(username="credit-platform")
    secret = _run("create", "credit-platform", "--name", "approvals")
    _run("revoke", str(ApiToken.objects.get().pk), "--reason", "r")
    _run("create", "credit-platform", "--name", "approvals 2")

    output = _run("list", "credit-platform")

    lines = output.splitlines()
    assert len(lines) == 2
    assert "approvals 2\tvalid" in lines[0]
    assert "approvals\trevoked" in lines[1]
    assert secret not in output
    assert ApiToken.objects.valid(at=timezone.now()).count() == 1
