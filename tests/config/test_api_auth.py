"""Token authentication and the command that issues tokens to other systems' accounts."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import UserFactory


def test_a_token_authenticates_the_caller(world, api_as):
    # given a token of the applicant
    client = api_as(world.applicant)
    # when it lists its subjects
    response = client.get("/api/v1/subjects/")
    # then it sees its own subject only
    assert response.status_code == 200
    assert [s["code"] for s in response.json()] == ["914403001922038216"]


def test_no_token_is_refused_with_401_in_the_envelope(world):
    response = APIClient().get("/api/v1/commitments/")
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "not_authenticated"
    assert body["fields"] == {}
    assert body["message"]
    assert response["WWW-Authenticate"] == "Token"


def test_a_wrong_token_is_refused(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    response = client.get("/api/v1/commitments/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_api_token_creates_a_token_once_and_prints_it(db):
    # given a system account without a token
    account = UserFactory(username="credit-platform")
    out = StringIO()
    # when the command runs twice
    call_command("api_token", "credit-platform", stdout=out)
    call_command("api_token", "credit-platform", stdout=out)
    # then one token exists and its key was printed both times
    token = Token.objects.get(user=account)
    assert out.getvalue().split() == [token.key, token.key]
    # and the key works
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/v1/subjects/").json() == []


def test_api_token_refuses_unknown_and_inactive_accounts(db):
    UserFactory(username="dormant", is_active=False)
    with pytest.raises(CommandError):
        call_command("api_token", "nobody")
    with pytest.raises(CommandError):
        call_command("api_token", "dormant")
    assert Token.objects.count() == 0
