"""Content-addressed, write-once storage of signed PDFs.

A document's key is the SHA-256 of its exact bytes (``ab/cd/<sha256>.pdf``), so storing
the same bytes twice is a no-op, a stored file never needs rewriting, and reading it back
proves it unchanged by hashing again. The bytes go through a small backend interface
(``put`` / ``get`` / ``exists``) chosen by ``SIGNING_STORAGE_BACKEND`` (a dotted path), so
an object store can replace the file system without touching callers.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.module_loading import import_string

from signing.errors import DocumentMissing, DocumentTampered, StorageMisconfigured
from signing.files import write_once
from signing.models import SignedDocument

DEFAULT_BACKEND = "signing.storage.FileSystemStorage"


class StorageBackend(Protocol):
    """Where document bytes live. Keys are relative, '/'-separated, and never reused."""

    def put(self, key: str, data: bytes) -> bool:
        """Store ``data`` under ``key`` unless the key exists; return whether it was written."""

    def get(self, key: str) -> bytes:
        """Return the bytes under ``key``; raise ``DocumentMissing`` if there are none."""

    def exists(self, key: str) -> bool:
        """Return whether ``key`` holds bytes."""


class FileSystemStorage:
    """Files under ``SIGNING_DOCUMENT_ROOT``, written once (temp file, fsync, hard link)."""

    def __init__(self, *, root: str | Path | None = None) -> None:
        self.root = Path(root if root is not None else settings.SIGNING_DOCUMENT_ROOT)

    def put(self, key: str, data: bytes) -> bool:
        """Write ``data`` read-only under ``key`` unless a file is already there.

        An existing file is never replaced, even when its content differs: a tampered file
        must stay as evidence and be reported by ``document_read``, not silently repaired.
        """
        path = self._path(key)
        if path.exists():
            return False
        path.parent.mkdir(mode=0o750, parents=True, exist_ok=True)
        return write_once(path=path, data=data, mode=0o440)

    def get(self, key: str) -> bytes:
        """Read the file under ``key``."""
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as error:
            raise DocumentMissing(f"No stored document under {key!r}.") from error

    def exists(self, key: str) -> bool:
        """Return whether a file exists under ``key``."""
        return self._path(key).exists()

    def _path(self, key: str) -> Path:
        """Map a key to a path inside the root, refusing keys that would leave it."""
        parts = key.split("/")
        if key.startswith("/") or any(part in {"", ".", ".."} for part in parts):
            raise ValueError(f"Invalid storage key {key!r}.")
        return self.root.joinpath(*parts)


def storage_backend() -> StorageBackend:
    """Instantiate the backend named by ``SIGNING_STORAGE_BACKEND`` (file system by default)."""
    dotted_path = getattr(settings, "SIGNING_STORAGE_BACKEND", DEFAULT_BACKEND)
    try:
        backend_class = import_string(dotted_path)
    except ImportError as error:
        raise StorageMisconfigured(
            f"SIGNING_STORAGE_BACKEND={dotted_path!r} cannot be imported: {error}"
        ) from error
    return backend_class()


def document_key(*, sha256: str) -> str:
    """Return the storage key of a document: two levels of fan-out keep directories small."""
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}.pdf"


def document_store(*, data: bytes, signer_certificate_serial: str = "") -> SignedDocument:
    """Store signed PDF bytes once and return their row; the same bytes return the same row.

    The file is written before the row: it is content-addressed, so a file without a row
    (a crash, a rolled-back transaction) is harmless and reused by the next attempt.
    Concurrent stores of the same bytes both end with the one row.
    """
    sha256 = hashlib.sha256(data).hexdigest()
    storage_backend().put(document_key(sha256=sha256), data)
    existing = SignedDocument.objects.filter(sha256=sha256).first()
    if existing is not None:
        return existing
    document = SignedDocument(
        sha256=sha256, size=len(data), signer_certificate_serial=signer_certificate_serial
    )
    document.full_clean(validate_unique=False)  # uniqueness is the database's job (races)
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:
        return SignedDocument.objects.get(sha256=sha256)
    return document


def document_read(document: SignedDocument) -> bytes:
    """Return a stored document's bytes after checking they still hash to its SHA-256."""
    data = storage_backend().get(document_key(sha256=document.sha256))
    actual = hashlib.sha256(data).hexdigest()
    if actual != document.sha256:
        raise DocumentTampered(
            f"Stored document {document.sha256} now hashes to {actual} ({len(data)} bytes,"
            f" stored {document.size})."
        )
    return data
