"""API test helpers: a client that authenticates with a real token, as other systems do."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


@pytest.fixture
def api_as():
    """Return a function giving an ``APIClient`` that sends ``Authorization: Token <key>``."""

    def make(user) -> APIClient:
        client = APIClient()
        token, _created = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def draft(world, api_as):
    """A draft commitment of the world's subject, created over the API."""
    response = api_as(world.applicant).post(
        "/api/v1/commitments/create/",
        {
            "template_code": world.template.code,
            "template_version": 1,
            "subject": world.subject.code,
            "field_values": {"premises": "深圳市南山区科技园1号", "scope": "热食类食品制售"},
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()
