"""The test settings keep every file a test writes in a temporary folder, never in the repository.

A test once wrote 27 uploaded receipts under ``credit/repair/`` in the working copy (the
default ``MEDIA_ROOT`` was the current directory), and they were committed.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "name",
    [
        "DATA_DIR",
        "MEDIA_ROOT",
        "STATIC_ROOT",
        "SIGNING_DOCUMENT_ROOT",
        "SIGNING_CA_CERT_PATH",
        "SIGNING_CA_KEY_PATH",
        "WEBHOOK_SECRET_KEYS_PATH",
    ],
)
def test_every_folder_a_test_writes_to_is_temporary(name):
    # given the folder the test settings name
    path = Path(getattr(settings, name)).resolve()

    # then it lies in the system's temporary folder, outside the repository
    assert path.is_relative_to(Path(tempfile.gettempdir()).resolve())
    assert not path.is_relative_to(ROOT)
