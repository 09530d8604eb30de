"""The signing files (platform CA, keys, documents) of a test, in a folder it names."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from signing.ca.authority import ca_clear_cache
from signing.ca.keys import platform_keys_clear_cache
from signing.ca.revocation import crl_clear_cache


def signing_caches_clear() -> None:
    """Forget the CA, the platform keys and the CRL this process loaded."""
    ca_clear_cache()
    platform_keys_clear_cache()
    crl_clear_cache()


@contextmanager
def signing_files_in(settings, folder: Path) -> Iterator[Path]:
    """Keep the CA (created on first use), keys and documents in ``folder``; the embedded TSA."""
    settings.SIGNING_CA_AUTOCREATE = True
    settings.SIGNING_CA_CERT_PATH = str(folder / "ca" / "ca.crt")
    settings.SIGNING_CA_KEY_PATH = str(folder / "ca" / "ca.key")
    settings.SIGNING_CA_KEY_PASSWORD = ""
    settings.SIGNING_DOCUMENT_ROOT = str(folder / "documents")
    settings.SIGNING_TSA_URL = ""
    signing_caches_clear()
    try:
        yield folder
    finally:
        signing_caches_clear()
