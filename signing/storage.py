"""Content-addressed, write-once storage of signed PDFs (and of other signed files: the open
data feed's daily CSV files keep their objects here too, under keys of their own).

A document's key is the SHA-256 of its exact bytes (``ab/cd/<sha256>.pdf``), so storing
the same bytes twice is a no-op, a stored file never needs rewriting, and reading it back
proves it unchanged by hashing again. The bytes go through a small backend interface
(``put`` / ``get`` / ``exists``, and ``put_stream`` / ``open`` / ``delete`` for files streamed
rather than held in memory) chosen by ``SIGNING_STORAGE_BACKEND`` (a dotted path), so
an object store can replace the file system without touching callers. ``delete`` is for
objects that must stop existing (a day file that named someone no longer public); signed
PDFs are never deleted.
"""

from __future__ import annotations

import base64
import hashlib
import io
from pathlib import Path
from typing import BinaryIO, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from directory.rows import insert_unless_exists
from signing.errors import (
    DocumentMissing,
    DocumentTampered,
    StorageMisconfigured,
    StorageUnavailable,
)
from signing.files import write_once_from
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

    def put_stream(self, key: str, source: BinaryIO, *, sha256: str, content_type: str) -> bool:
        """``put`` of what ``source`` reads to its end (``sha256``, hex, is its digest),
        without holding it in memory."""

    def open(self, key: str) -> BinaryIO:
        """Open the bytes under ``key`` for streaming; ``DocumentMissing`` if there are none,
        ``StorageUnavailable`` if the store does not answer."""

    def delete(self, key: str) -> None:
        """Remove the bytes under ``key`` for good (every stored version); no error if none."""


class FileSystemStorage:
    """Files under ``SIGNING_DOCUMENT_ROOT``, written once (temp file, fsync, hard link)."""

    def __init__(self, *, root: str | Path | None = None) -> None:
        self.root = Path(root if root is not None else settings.SIGNING_DOCUMENT_ROOT)

    def put(self, key: str, data: bytes) -> bool:
        """Write ``data`` read-only under ``key`` unless a file is already there.

        An existing file is never replaced, even when its content differs: a tampered file
        must stay as evidence and be reported by ``document_read``, not silently repaired.
        """
        return self.put_stream(key, io.BytesIO(data), sha256="", content_type="application/pdf")

    def get(self, key: str) -> bytes:
        """Read the file under ``key``."""
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as error:
            raise DocumentMissing(f"No stored document under {key!r}.") from error

    def exists(self, key: str) -> bool:
        """Return whether a file exists under ``key``."""
        return self._path(key).exists()

    def put_stream(self, key: str, source: BinaryIO, *, sha256: str, content_type: str) -> bool:
        """Copy ``source`` read-only under ``key`` unless a file is already there (files are
        checked by hashing them again when read, so ``sha256`` is not needed here)."""
        path = self._path(key)
        if path.exists():
            return False
        path.parent.mkdir(mode=0o750, parents=True, exist_ok=True)
        return write_once_from(path=path, source=source, mode=0o440)

    def open(self, key: str) -> BinaryIO:
        """Open the file under ``key``: a reader keeps its bytes even if it is then deleted."""
        try:
            return self._path(key).open("rb")
        except FileNotFoundError as error:
            raise DocumentMissing(f"No stored document under {key!r}.") from error

    def delete(self, key: str) -> None:
        """Unlink the file under ``key`` (readers that opened it keep reading it)."""
        self._path(key).unlink(missing_ok=True)

    def _path(self, key: str) -> Path:
        """Map a key to a path inside the root, refusing keys that would leave it."""
        parts = key.split("/")
        if key.startswith("/") or any(part in {"", ".", ".."} for part in parts):
            raise ValueError(f"Invalid storage key {key!r}.")
        return self.root.joinpath(*parts)


def storage_backend() -> StorageBackend:
    """Instantiate the backend named by ``SIGNING_STORAGE_BACKEND`` (file system by default)."""
    dotted_path = getattr(settings, "SIGNING_STORAGE_BACKEND", DEFAULT_BACKEND)
    cache_key = (
        dotted_path,
        str(getattr(settings, "SIGNING_DOCUMENT_ROOT", "")),
        getattr(settings, "SIGNING_S3_BUCKET", ""),
        getattr(settings, "SIGNING_S3_ENDPOINT_URL", ""),
        getattr(settings, "SIGNING_S3_PREFIX", ""),
    )
    backend = _backends.get(cache_key)
    if backend is not None:
        return backend
    try:
        backend_class = import_string(dotted_path)
    except ImportError as error:
        raise StorageMisconfigured(
            f"SIGNING_STORAGE_BACKEND={dotted_path!r} cannot be imported: {error}"
        ) from error
    backend = _backends[cache_key] = backend_class()
    return backend


# One backend per configuration and process: an S3 client is costly to build.
_backends: dict[tuple[str, ...], StorageBackend] = {}


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
    document = SignedDocument(
        sha256=sha256,
        size=len(data),
        signer_certificate_serial=signer_certificate_serial,
    )
    document.full_clean(validate_unique=False)  # uniqueness is the database's job (races)
    # One statement for new bytes (the usual case): insert unless the row exists; only when
    # it does is it read. Concurrent stores of the same bytes both end with the one row.
    if not insert_unless_exists(document, conflict="sha256"):
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


class S3Storage:
    """An S3-compatible object store (AWS S3, MinIO, Ceph ...) through boto3, write-once.

    Configuration comes from settings (``SIGNING_S3_BUCKET``, ``SIGNING_S3_ENDPOINT_URL``,
    ``SIGNING_S3_REGION``, ``SIGNING_S3_ACCESS_KEY_ID``, ``SIGNING_S3_SECRET_ACCESS_KEY``,
    ``SIGNING_S3_PREFIX``); the keys are never logged. ``put`` sends ``If-None-Match: *`` so
    the store itself refuses to overwrite an existing object (S3 conditional writes); a
    412 answer means the key exists and nothing was written. Server-side encryption
    (``AES256``) is requested on every object; with S3 Object Lock on the bucket, a
    retention period makes the objects undeletable too.

    boto3 and botocore are imported inside the methods, not for a cycle: they cost ~140 ms
    to import, and only deployments that store in S3 need them.
    """

    def __init__(self) -> None:
        import boto3

        options: dict = {"region_name": settings.SIGNING_S3_REGION or None}
        if settings.SIGNING_S3_ENDPOINT_URL:
            options["endpoint_url"] = settings.SIGNING_S3_ENDPOINT_URL
        if settings.SIGNING_S3_ACCESS_KEY_ID:
            options["aws_access_key_id"] = settings.SIGNING_S3_ACCESS_KEY_ID
            options["aws_secret_access_key"] = settings.SIGNING_S3_SECRET_ACCESS_KEY
        if not settings.SIGNING_S3_BUCKET:
            raise StorageMisconfigured("SIGNING_S3_BUCKET is empty.")
        self.client = boto3.client("s3", **options)
        self.bucket = settings.SIGNING_S3_BUCKET
        self.prefix = settings.SIGNING_S3_PREFIX or ""

    def put(self, key: str, data: bytes) -> bool:
        """Create the object unless it exists; return whether it was written."""
        return self.put_stream(
            key,
            io.BytesIO(data),
            sha256=hashlib.sha256(data).hexdigest(),
            content_type="application/pdf",
        )

    def put_stream(self, key: str, source: BinaryIO, *, sha256: str, content_type: str) -> bool:
        """Create the object from ``source`` unless it exists; the store checks the SHA-256."""
        from botocore.exceptions import ClientError

        try:
            self.client.put_object(
                Bucket=self.bucket,
                Key=self.prefix + key,
                Body=source,
                ContentType=content_type,
                ChecksumSHA256=base64.b64encode(bytes.fromhex(sha256)).decode("ascii"),
                ServerSideEncryption="AES256",
                IfNoneMatch="*",
            )
        except ClientError as error:
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if status in (409, 412) or error.response.get("Error", {}).get("Code") in (
                "PreconditionFailed",
                "ConditionalRequestConflict",
            ):
                return False
            raise
        return True

    def get(self, key: str) -> bytes:
        """Return the object's bytes; ``DocumentMissing`` if there is none."""
        from botocore.exceptions import ClientError

        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self.prefix + key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise DocumentMissing(f"No stored document under {key!r}.") from error
            raise
        return answer["Body"].read()

    def exists(self, key: str) -> bool:
        """Return whether the object exists."""
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self.prefix + key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
                return False
            raise
        return True

    def open(self, key: str) -> BinaryIO:
        """Open the object's body as a stream (read as it is served, not held in memory)."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self.prefix + key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise DocumentMissing(f"No stored document under {key!r}.") from error
            raise StorageUnavailable(f"The object store refused to read {key!r}.") from error
        except BotoCoreError as error:
            raise StorageUnavailable(f"The object store did not answer for {key!r}.") from error
        return answer["Body"]

    def delete(self, key: str) -> None:
        """Delete the object and, in a versioned bucket, every version of it and every delete
        marker: a plain delete there only hides the bytes behind a marker."""
        from botocore.exceptions import BotoCoreError, ClientError

        name = self.prefix + key
        try:
            self.client.delete_object(Bucket=self.bucket, Key=name)
            listed = self.client.list_object_versions(Bucket=self.bucket, Prefix=name)
            for version in [*listed.get("Versions", []), *listed.get("DeleteMarkers", [])]:
                if version["Key"] == name:
                    self.client.delete_object(
                        Bucket=self.bucket, Key=name, VersionId=version["VersionId"]
                    )
        except (BotoCoreError, ClientError) as error:
            raise StorageUnavailable(f"The object store did not delete {key!r}.") from error
