"""Content-addressed, write-once storage of signed PDFs, on the file system and on S3."""

from __future__ import annotations

import hashlib
import io
import stat
from pathlib import Path

import pytest

from signing.errors import (
    DocumentMissing,
    DocumentTampered,
    SigningErrorCode,
    StorageMisconfigured,
    StorageUnavailable,
)
from signing.models import SignedDocument
from signing.storage import (
    FileSystemStorage,
    S3Storage,
    document_key,
    document_read,
    document_store,
)

PDF = b"%PDF-1.7\n% a signed commitment, for the storage tests\n%%EOF\n"


SHA256 = hashlib.sha256(PDF).hexdigest()


class MemoryStorage:
    """A backend kept in a class attribute, to check that the setting is honoured."""

    blobs: dict[str, bytes] = {}

    def put(self, key: str, data: bytes) -> bool:
        if key in self.blobs:
            return False
        self.blobs[key] = data
        return True

    def get(self, key: str) -> bytes:
        try:
            return self.blobs[key]
        except KeyError as error:
            raise DocumentMissing(key) from error

    def exists(self, key: str) -> bool:
        return key in self.blobs


def _stored_path(settings, sha256: str = SHA256) -> Path:
    return Path(settings.SIGNING_DOCUMENT_ROOT) / sha256[:2] / sha256[2:4] / f"{sha256}.pdf"


@pytest.mark.django_db
def test_document_store_writes_the_bytes_under_their_hash(settings):
    # when
    document = document_store(data=PDF, signer_certificate_serial="7f01")

    # then
    assert document.pk is not None
    assert document.sha256 == SHA256
    assert document.size == len(PDF)
    assert document.signer_certificate_serial == "7f01"
    path = _stored_path(settings)
    assert path.read_bytes() == PDF
    assert stat.S_IMODE(path.stat().st_mode) == 0o440
    assert document_key(sha256=SHA256) == f"{SHA256[:2]}/{SHA256[2:4]}/{SHA256}.pdf"
    assert document_read(document) == PDF


@pytest.mark.django_db
def test_storing_the_same_bytes_twice_returns_the_same_row_and_keeps_the_file(settings):
    # given
    first = document_store(data=PDF, signer_certificate_serial="7f01")
    before = _stored_path(settings).stat()

    # when
    second = document_store(data=PDF, signer_certificate_serial="other")

    # then
    assert second.pk == first.pk
    assert second.signer_certificate_serial == "7f01"
    assert SignedDocument.objects.count() == 1
    after = _stored_path(settings).stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert sorted(path.name for path in _stored_path(settings).parent.iterdir()) == [
        f"{SHA256}.pdf"
    ]


@pytest.mark.django_db
def test_a_file_without_a_row_is_reused(settings):
    # given the file of an attempt whose transaction rolled back
    FileSystemStorage().put(document_key(sha256=SHA256), PDF)

    # when
    document = document_store(data=PDF)

    # then
    assert SignedDocument.objects.get().pk == document.pk
    assert document_read(document) == PDF


@pytest.mark.django_db
def test_document_read_detects_changed_bytes(settings):
    # given a stored document whose file was altered afterwards
    document = document_store(data=PDF)
    path = _stored_path(settings)
    path.chmod(0o640)
    path.write_bytes(PDF.replace(b"signed", b"forged"))

    # when / then
    with pytest.raises(DocumentTampered) as raised:
        document_read(document)
    assert raised.value.code == SigningErrorCode.DOCUMENT_TAMPERED
    assert SHA256 in raised.value.message


@pytest.mark.django_db
def test_storing_again_never_rewrites_a_tampered_file(settings):
    # given
    document = document_store(data=PDF)
    path = _stored_path(settings)
    path.chmod(0o640)
    forged = PDF.replace(b"signed", b"forged")
    path.write_bytes(forged)

    # when
    again = document_store(data=PDF)

    # then: the evidence stays and is still reported
    assert again.pk == document.pk
    assert path.read_bytes() == forged
    with pytest.raises(DocumentTampered):
        document_read(again)


@pytest.mark.django_db
def test_document_read_reports_a_missing_file(settings):
    # given
    document = document_store(data=PDF)
    _stored_path(settings).unlink()

    # when / then
    with pytest.raises(DocumentMissing) as raised:
        document_read(document)
    assert raised.value.code == SigningErrorCode.DOCUMENT_MISSING


def test_file_system_storage_refuses_keys_that_leave_its_root(tmp_path):
    # given
    storage = FileSystemStorage(root=tmp_path / "documents")

    # when / then
    for key in ("../escape.pdf", "/etc/passwd", "ab//cd.pdf", "ab/./cd.pdf"):
        with pytest.raises(ValueError, match="Invalid storage key"):
            storage.put(key, PDF)
    assert not (tmp_path / "escape.pdf").exists()


@pytest.mark.django_db
def test_the_storage_backend_setting_is_honoured(settings):
    # given
    settings.SIGNING_STORAGE_BACKEND = f"{__name__}.MemoryStorage"
    MemoryStorage.blobs = {}

    # when
    document = document_store(data=PDF)

    # then
    assert MemoryStorage.blobs == {document_key(sha256=SHA256): PDF}
    assert document_read(document) == PDF
    assert not _stored_path(settings).exists()


@pytest.mark.django_db
def test_an_unimportable_storage_backend_is_a_signing_error(settings):
    # given
    settings.SIGNING_STORAGE_BACKEND = "signing.storage.NoSuchBackend"

    # when / then
    with pytest.raises(StorageMisconfigured) as raised:
        document_store(data=PDF)
    assert raised.value.code == SigningErrorCode.STORAGE_MISCONFIGURED
    assert SignedDocument.objects.count() == 0


def test_documents_round_trip_through_s3(s3):
    # when
    stored = document_store(data=b"%PDF-1.7 signed bytes")

    # then
    assert document_read(stored) == b"%PDF-1.7 signed bytes"
    body = s3.get_object(
        Bucket="chengnuo-documents", Key="documents/" + document_key(sha256=stored.sha256)
    )
    assert body["ServerSideEncryption"] == "AES256"


def test_s3_never_overwrites_an_existing_object(s3):
    # given an object already under a key
    backend = S3Storage()
    key = document_key(sha256=hashlib.sha256(b"first").hexdigest())

    # when
    first = backend.put(key, b"first")
    second = backend.put(key, b"second")

    # then
    assert (first, second) == (True, False)
    assert backend.get(key) == b"first"


def test_a_changed_or_missing_object_is_reported(s3):
    # given
    stored = document_store(data=b"%PDF-1.7 original")
    key = "documents/" + document_key(sha256=stored.sha256)
    s3.put_object(Bucket="chengnuo-documents", Key=key, Body=b"%PDF-1.7 altered")

    # then
    with pytest.raises(DocumentTampered):
        document_read(stored)
    s3.delete_object(Bucket="chengnuo-documents", Key=key)
    with pytest.raises(DocumentMissing):
        document_read(stored)


def test_a_pdf_stored_in_s3_keeps_its_bytes_and_media_type(s3):
    """``put`` now streams through ``put_stream``: the object is the same bytes, as before."""
    stored = document_store(data=PDF)

    key = "documents/" + document_key(sha256=SHA256)
    head = s3.head_object(Bucket="chengnuo-documents", Key=key)

    assert (stored.sha256, head["ContentType"], head["ContentLength"]) == (
        SHA256,
        "application/pdf",
        len(PDF),
    )
    assert document_read(stored) == PDF


@pytest.fixture(params=["file system", "s3"])
def backend(request, settings, tmp_path):
    """Each backend in turn, empty."""
    if request.param == "s3":
        request.getfixturevalue("s3")
        return S3Storage()
    return FileSystemStorage(root=tmp_path / "store")


def test_a_stream_is_stored_once_opened_as_a_stream_and_deleted_for_good(backend):
    # given
    first, second = b"day,one\r\n" * 1000, b"day,two\r\n"
    key = f"open-data/2026-12-07/{hashlib.sha256(first).hexdigest()}.csv"

    # when stored twice under one key
    written = [
        backend.put_stream(
            key, io.BytesIO(data), sha256=hashlib.sha256(data).hexdigest(), content_type="text/csv"
        )
        for data in (first, second)
    ]

    # then the first stays, read back as a stream
    assert written == [True, False]
    with backend.open(key) as body:
        assert body.read() == first
    # and once deleted it is gone, and deleting again is no error
    backend.delete(key)
    backend.delete(key)
    assert not backend.exists(key)
    with pytest.raises(DocumentMissing):
        backend.open(key)


def test_a_file_opened_before_its_deletion_is_still_read_whole(tmp_path):
    backend = FileSystemStorage(root=tmp_path / "store")
    backend.put_stream("a/b.csv", io.BytesIO(b"bytes"), sha256="00", content_type="text/csv")

    body = backend.open("a/b.csv")
    backend.delete("a/b.csv")

    assert body.read() == b"bytes"
    body.close()


def test_s3_deletes_every_version_in_a_versioned_bucket(s3):
    s3.put_bucket_versioning(
        Bucket="chengnuo-documents", VersioningConfiguration={"Status": "Enabled"}
    )
    backend = S3Storage()
    s3.put_object(Bucket="chengnuo-documents", Key="documents/a/b.csv", Body=b"old")
    s3.put_object(Bucket="chengnuo-documents", Key="documents/a/b.csv", Body=b"new")
    s3.put_object(Bucket="chengnuo-documents", Key="documents/a/b.csv.keep", Body=b"other")

    backend.delete("a/b.csv")

    listed = s3.list_object_versions(Bucket="chengnuo-documents", Prefix="documents/a/")
    assert [version["Key"] for version in listed.get("Versions", [])] == ["documents/a/b.csv.keep"]
    assert listed.get("DeleteMarkers", []) == []


def test_an_s3_store_that_does_not_answer_is_unavailable(s3, settings):
    settings.SIGNING_S3_ENDPOINT_URL = "http://127.0.0.1:9"  # the discard port: refused
    backend = S3Storage()

    with pytest.raises(StorageUnavailable) as opening:
        backend.open("a/b.csv")
    with pytest.raises(StorageUnavailable):
        backend.delete("a/b.csv")

    assert opening.value.code == SigningErrorCode.STORAGE_UNAVAILABLE
