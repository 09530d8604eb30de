"""Token authentication of the API (the tokens themselves: tests/access)."""

from __future__ import annotations

from rest_framework.test import APIClient


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
