"""Fixtures of the commitments tests: signing files of a test's own, for the modules that ask
for them (``pytestmark = pytest.mark.usefixtures("signing_files", "english")``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import translation

from signing.ca.authority import ca_clear_cache
from signing.ca.keys import platform_keys_clear_cache
from signing.ca.revocation import crl_clear_cache


@pytest.fixture
def signing_files(settings, tmp_path: Path) -> Iterator[Path]:
    """Own CA, keys and documents for every test; the embedded TSA; English messages."""
    settings.SIGNING_CA_CERT_PATH = str(tmp_path / "ca" / "ca.crt")
    settings.SIGNING_CA_KEY_PATH = str(tmp_path / "ca" / "ca.key")
    settings.SIGNING_CA_KEY_PASSWORD = ""
    settings.SIGNING_DOCUMENT_ROOT = str(tmp_path / "documents")
    settings.SIGNING_TSA_URL = ""
    for clear in (ca_clear_cache, platform_keys_clear_cache, crl_clear_cache):
        clear()
    with translation.override("en"):
        yield tmp_path
    for clear in (ca_clear_cache, platform_keys_clear_cache, crl_clear_cache):
        clear()
