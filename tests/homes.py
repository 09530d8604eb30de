"""Helpers for the tests of the roles' homes: a signed-in client in a language, and the
number a home's count link shows."""

from __future__ import annotations

import re

from django.test import Client


def signed_in(user, language: str = "en") -> Client:
    """A client signed in as ``user`` whose browser asks for ``language``."""
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    return client


def home_count(html: str, testid: str) -> int:
    """The number shown by the home's count link ``testid`` (the test fails without one)."""
    found = re.search(rf'data-testid="{testid}"><strong data-testid="count"[^>]*>(\d+)<', html)
    assert found, testid
    return int(found.group(1))
