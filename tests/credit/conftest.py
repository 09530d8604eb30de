"""Fixtures for the credit record: commitments under verification, breaches, calling systems."""

from __future__ import annotations

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from commitments.lifecycle.models import Commitment
from credit.check.services import calling_system_register
from tests.factories import api_token_secret
from tests.workflows.conftest import submit_commitment


@pytest.fixture(autouse=True)
def _english():
    """Assert on the English source messages whatever catalogue is installed."""
    with translation.override("en"):
        yield


@pytest.fixture
def under_verification(world) -> Commitment:
    """A signed commitment of the world's subject, handed to the department."""
    return submit_commitment(world)


@pytest.fixture
def calling_system(db):
    """A registered calling system and its token key."""
    return calling_system_register(
        code="approval-platform",
        name="City approval platform",
        username="approval-platform",
        operator="City administrative approval bureau",
        by=None,
    )


@pytest.fixture
def api_as():
    """Return a function giving an ``APIClient`` that sends ``Authorization: Token <key>``."""

    def make(user) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_secret(user)}")
        return client

    return make
