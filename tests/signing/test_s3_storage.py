"""The S3-compatible backend against moto's real HTTP server on loopback."""

from __future__ import annotations

import hashlib

import pytest

from signing.errors import DocumentMissing, DocumentTampered
from signing.storage import S3Storage, document_key, document_read, document_store

moto_server = pytest.importorskip("moto.server")
boto3 = pytest.importorskip("boto3")


@pytest.fixture
def s3(settings):
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    settings.SIGNING_STORAGE_BACKEND = "signing.storage.S3Storage"
    settings.SIGNING_S3_ENDPOINT_URL = f"http://{host}:{port}"
    settings.SIGNING_S3_BUCKET = "chengnuo-documents"
    settings.SIGNING_S3_ACCESS_KEY_ID = "testing"
    settings.SIGNING_S3_SECRET_ACCESS_KEY = "testing"
    settings.SIGNING_S3_PREFIX = "documents/"
    client = boto3.client(
        "s3",
        endpoint_url=settings.SIGNING_S3_ENDPOINT_URL,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(Bucket="chengnuo-documents")
    yield client
    server.stop()


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
