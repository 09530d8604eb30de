"""Fixtures of the portal tests still in this folder: the repair fixtures they use
(``tests.workflows.repair.conftest``), English pages and messages."""

from __future__ import annotations

import pytest
from django.utils import translation

from tests.workflows.repair.conftest import (  # noqa: F401  (fixtures and helpers used here)
    record,
    repair_city,
    today,
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def client(client):
    """Pages in English (the source text the assertions use)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
