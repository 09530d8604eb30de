"""The daily CSV files kept in the document store: built by one host and served by another
(the file system store shared between them, or an S3 bucket on a real local S3 server), the
superseded object deleted when a subject is withheld (every version of it in a versioned
bucket), and a missing object or a store that does not answer refused with the envelope."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import tempfile
from pathlib import Path

import pytest
import time_machine
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from django.test import Client

from credit.opendata.models import OpenDataDayFile
from credit.opendata.selectors import open_data_day_current
from credit.opendata.services import days
from credit.opendata.services.days import open_data_days_build
from credit.opendata.services.signatures import open_data_certificates
from credit.record.services.publicity import breach_publication_end_due
from signing.errors import StorageUnavailable
from signing.storage import storage_backend
from tests.credit.opendata.conftest import TODAY, at, general_breach

NEXT_DAY = TODAY + dt.timedelta(days=1)
CSV = "/api/v1/open-data/events.csv"
BUCKET = "chengnuo-documents"


@pytest.fixture(params=["file system", "s3"])
def store(request, settings, tmp_path) -> str:
    """Each backend in turn; the file system store is a folder both hosts mount."""
    if request.param == "s3":
        request.getfixturevalue("s3")
    return request.param


def _as_host(settings, monkeypatch, folder: Path) -> Path:
    """Configure this process as another host: its own local folders and temporary files,
    and a storage backend of its own (a new configuration is a new backend instance); only
    the database and the document store are shared."""
    folder.mkdir(parents=True)
    settings.OPEN_DATA_ROOT = str(folder / "opendata")
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    if settings.SIGNING_STORAGE_BACKEND.endswith("S3Storage"):
        settings.SIGNING_DOCUMENT_ROOT = str(folder / "documents")  # unused by S3: a new key
    return folder


def _stored_bytes(store: str, s3_client, documents: Path, file: OpenDataDayFile) -> bytes:
    if store == "s3":
        return s3_client.get_object(Bucket=BUCKET, Key="documents/" + file.key)["Body"].read()
    return (documents / file.key).read_bytes()


def test_a_day_built_by_a_worker_host_is_served_by_a_web_host(
    world, store, settings, monkeypatch, tmp_path, request
):
    # Given a day's events, and a worker host that builds the day into the shared store
    with time_machine.travel(at(TODAY), tick=False):
        general_breach(world.subject, world.regulator)
    documents = Path(settings.SIGNING_DOCUMENT_ROOT)
    worker = _as_host(settings, monkeypatch, tmp_path / "worker")
    assert open_data_days_build(now=at(NEXT_DAY)) == 1
    built = open_data_day_current(day=TODAY)
    s3_client = request.getfixturevalue("s3") if store == "s3" else None
    assert list(worker.iterdir()) == []  # nothing left on the worker: the file is in the store

    # When a web host with folders of its own serves it
    _as_host(settings, monkeypatch, tmp_path / "web")
    response = Client().get(CSV, {"day": TODAY.isoformat()})
    body = b"".join(response.streaming_content)

    # Then it serves the stored object's bytes, with their digest and the seal's signature
    assert response.status_code == 200
    assert body == _stored_bytes(store, s3_client, documents, built)
    assert world.subject.name in body.decode("utf-8-sig")
    assert hashlib.sha256(body).hexdigest() == built.sha256
    assert (int(response["Content-Length"]), response["ETag"]) == (len(body), f'"{built.sha256}"')
    seal = x509.load_pem_x509_certificates(open_data_certificates())[0]
    seal.public_key().verify(
        base64.b64decode(response["Chengnuo-Signature"]), body, ec.ECDSA(hashes.SHA256())
    )
    # and a client that holds it already is told so without a body
    holding = {"If-None-Match": response["ETag"]}
    again = Client().get(CSV, {"day": TODAY.isoformat()}, headers=holding)
    assert again.status_code == 304
    assert again["Chengnuo-Signature"] == response["Chengnuo-Signature"]


def test_the_object_is_stored_encrypted_as_csv_under_its_digest(world, s3):
    with time_machine.travel(at(TODAY), tick=False):
        general_breach(world.subject, world.regulator)
    open_data_days_build(now=at(NEXT_DAY))
    built = open_data_day_current(day=TODAY)

    head = s3.head_object(Bucket=BUCKET, Key=f"documents/open-data/{TODAY}/{built.sha256}.csv")

    assert head["ContentType"] == "text/csv; charset=utf-8"
    assert head["ServerSideEncryption"] == "AES256"
    assert head["ContentLength"] == built.size


def test_a_missing_object_is_a_503_in_the_envelope_and_changes_nothing(
    world, store, settings, request
):
    # Given a built day whose object went missing from the store
    with time_machine.travel(at(TODAY), tick=False):
        general_breach(world.subject, world.regulator)
    open_data_days_build(now=at(NEXT_DAY))
    built = open_data_day_current(day=TODAY)
    if store == "s3":
        request.getfixturevalue("s3").delete_object(Bucket=BUCKET, Key="documents/" + built.key)
    else:
        (Path(settings.SIGNING_DOCUMENT_ROOT) / built.key).unlink()

    # When it is asked for
    response = Client().get(CSV, {"day": TODAY.isoformat()})

    # Then the answer is a 503 in the envelope, naming the day, and nothing changed
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert (response.json()["code"], list(response.json()["fields"])) == ("unavailable", ["day"])
    assert "Chengnuo-Signature" not in response
    assert open_data_day_current(day=TODAY) == built


def test_a_store_that_does_not_answer_is_a_503(world, s3, settings):
    with time_machine.travel(at(TODAY), tick=False):
        general_breach(world.subject, world.regulator)
    open_data_days_build(now=at(NEXT_DAY))
    settings.SIGNING_S3_ENDPOINT_URL = "http://127.0.0.1:9"  # the discard port: refused

    response = Client().get(CSV, {"day": TODAY.isoformat()})

    assert response.status_code == 503
    assert response.json()["code"] == "unavailable"


def test_a_withholding_deletes_every_version_of_the_object_in_a_versioned_bucket(
    world, s3, django_capture_on_commit_callbacks
):
    # Given a versioned bucket and a built day naming a subject
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    with time_machine.travel(at(TODAY), tick=False):
        ended = general_breach(world.subject, world.regulator)
    open_data_days_build(now=at(NEXT_DAY))
    key = "documents/" + open_data_day_current(day=TODAY).key

    # When the subject is withheld
    with django_capture_on_commit_callbacks(execute=True):
        breach_publication_end_due(on=ended.publicity_max_until)

    # Then no version of the object (nor a delete marker hiding one) is left
    listed = s3.list_object_versions(Bucket=BUCKET, Prefix=key)
    assert listed.get("Versions", []) == listed.get("DeleteMarkers", []) == []
    assert Client().get(CSV, {"day": TODAY.isoformat()}).status_code == 404


def test_a_store_that_does_not_delete_leaves_the_day_unserved_until_the_next_run_purges_it(
    world, settings, monkeypatch, django_capture_on_commit_callbacks
):
    # Given a built day naming a subject, and a store that fails to delete
    with time_machine.travel(at(TODAY), tick=False):
        ended = general_breach(world.subject, world.regulator)
    open_data_days_build(now=at(NEXT_DAY))
    naming = open_data_day_current(day=TODAY)
    backend = storage_backend()

    def refuse(key):
        raise StorageUnavailable(f"down while deleting {key}")

    monkeypatch.setattr(backend, "delete", refuse)

    # When the subject is withheld
    with django_capture_on_commit_callbacks(execute=True):
        breach_publication_end_due(on=ended.publicity_max_until)

    # Then the withholding stands and the day is no longer served, its object still stored
    naming.refresh_from_db()
    assert (naming.discarded_at is not None, naming.purged_at) == (True, None)
    assert Client().get(CSV, {"day": TODAY.isoformat()}).status_code == 404
    object_path = Path(settings.SIGNING_DOCUMENT_ROOT) / naming.key
    assert object_path.exists()

    # When the store answers again, the next hourly run deletes it and rebuilds the day
    monkeypatch.undo()
    assert open_data_days_build(now=at(NEXT_DAY)) == 1
    naming.refresh_from_db()
    assert naming.purged_at is not None
    assert not object_path.exists()
    assert open_data_day_current(day=TODAY).replaces == naming


def test_a_build_that_fails_after_storing_leaves_no_object_and_no_file(
    world, settings, monkeypatch
):
    # Given a day to build, and a seal that fails once the object is stored
    with time_machine.travel(at(TODAY), tick=False):
        general_breach(world.subject, world.regulator)

    def seal_down(digest):
        raise RuntimeError("the seal's key cannot be read")

    monkeypatch.setattr(days, "open_data_sign_digest", seal_down)

    # When the day is built, then the failure is reported and nothing stays behind
    with pytest.raises(RuntimeError):
        open_data_days_build(now=at(NEXT_DAY))
    assert not OpenDataDayFile.objects.exists()
    assert list(Path(settings.SIGNING_DOCUMENT_ROOT).glob("open-data/*/*.csv")) == []
    monkeypatch.undo()
    assert open_data_days_build(now=at(NEXT_DAY)) == 1
