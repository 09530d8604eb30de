"""Fixtures of the commitments tests: signing files of a test's own, for the modules that ask
for them (``pytestmark = pytest.mark.usefixtures("signing_files", "english")``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import translation

from tests.signing.files import signing_files_in


@pytest.fixture
def signing_files(settings, tmp_path: Path) -> Iterator[Path]:
    """Own CA, keys and documents for every test; the embedded TSA; English messages."""
    with signing_files_in(settings, tmp_path), translation.override("en"):
        yield tmp_path
