"""API test helpers: a draft commitment made over the API (``api_as`` is a shared fixture)."""

from __future__ import annotations

import pytest


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
