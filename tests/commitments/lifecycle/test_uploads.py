"""Bring your own signature over the API: a commitment PDF signed elsewhere with a trusted
USB-key certificate is accepted, sealed and sent for verification; every bad file is refused
with a stable code and a plain-language reason, and nothing is stored."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from django.conf import settings as django_settings
from django.utils import translation
from django.utils.translation import gettext
from rest_framework.test import APIClient

from commitments.lifecycle.models import Commitment, RegistryEvent
from commitments.lifecycle.services.commitments import commitment_create
from commitments.lifecycle.services.signatures import refusal_message
from signing.models import SignedDocument
from signing.pades.validate import validate_pdf
from signing.register.models import LogLeaf
from signing.storage import document_read
from tests.commitments.lifecycle.test_signatures import (
    ForeignCa,
    foreign_ca,
    rendered,
    sign_elsewhere,
    usb_key,
)
from tests.commitments.portal.test_pages import encrypted_pdf, javascript_pdf
from tests.workflows.conftest import FIELD_VALUES


@pytest.fixture
def usb_ca(settings, tmp_path) -> ForeignCa:
    ca = foreign_ca(tmp_path, "USB-CA")
    settings.SIGNING_TRUST_ROOTS = [str(ca.path)]
    settings.SIGNING_TRUST_CRLS = []
    return ca


@pytest.fixture
def commitment(world) -> Commitment:
    return commitment_create(
        by=world.applicant,
        subject=world.subject,
        template=world.template,
        field_values=FIELD_VALUES,
    )


def _url(commitment: Commitment) -> str:
    return f"/api/v1/commitments/{commitment.reference}/upload-signed/"


def _upload(client: APIClient, commitment: Commitment, data: bytes):
    return client.post(_url(commitment), {"file": io.BytesIO(data)}, format="multipart")


def _signed_by_subject(world, commitment: Commitment, ca: ForeignCa, **usb) -> bytes:
    key, certificate = usb_key(ca, world.subject.code, **usb)
    return sign_elsewhere(rendered(commitment), ca, key, certificate)


def _stored_state(commitment: Commitment) -> tuple:
    root = Path(django_settings.SIGNING_DOCUMENT_ROOT)
    files = sorted(str(p) for p in root.rglob("*") if p.is_file()) if root.exists() else []
    return (
        SignedDocument.objects.count(),
        RegistryEvent.objects.count(),
        LogLeaf.objects.count(),
        Commitment.objects.get(pk=commitment.pk).status,
        files,
    )


def test_a_trusted_usb_key_signature_is_accepted_sealed_and_sent_for_verification(
    world, commitment, usb_ca, api_as
):
    # given
    data = _signed_by_subject(world, commitment, usb_ca)

    # when
    response = _upload(api_as(world.applicant), commitment, data)

    # then
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["reference"] == commitment.reference
    assert body["status"] == Commitment.Status.UNDER_VERIFICATION
    signed = Commitment.objects.get(pk=commitment.pk)
    assert body["signed_document_sha256"] == signed.signed_document.sha256
    stored = document_read(signed.signed_document)
    assert stored.startswith(data)  # the seal is an incremental update of the upload
    report = validate_pdf(stored)
    assert [s.field_name for s in report.signatures] == ["Signature", "PlatformSeal"]
    assert report.signatures[0].intact is True
    assert report.signatures[0].signer_code == world.subject.code
    assert report.signatures[1].bottom_line is True
    assert RegistryEvent.objects.filter(commitment=signed, event_type="signed").count() == 1


def _post_pdf(client: APIClient, commitment: Commitment, data: bytes, **extra):
    return client.post(_url(commitment), data=data, content_type="application/pdf", **extra)


def test_the_signed_pdf_may_be_the_whole_body_as_application_pdf(world, commitment, usb_ca, api_as):
    # given: a system that sends the file itself, not a form
    data = _signed_by_subject(world, commitment, usb_ca)

    # when
    response = _post_pdf(api_as(world.applicant), commitment, data)

    # then: accepted and sealed exactly as a multipart upload
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == Commitment.Status.UNDER_VERIFICATION
    stored = document_read(Commitment.objects.get(pk=commitment.pk).signed_document)
    assert stored.startswith(data)


def test_a_pdf_body_is_checked_like_a_file_and_an_empty_or_oversized_one_refused(
    world, commitment, usb_ca, api_as, settings
):
    # given: an unsigned rendering, an empty body, a body over the limit and one declaring 200 MB
    client = api_as(world.applicant)
    settings.SIGNING_UPLOAD_MAX_BYTES = 64 * 1024
    before = _stored_state(commitment)

    # when
    unsigned = _post_pdf(client, commitment, rendered(commitment))
    empty = _post_pdf(client, commitment, b"")
    over = _post_pdf(client, commitment, b"%PDF-1.7\n" + b"0" * (65 * 1024))
    declared = _post_pdf(client, commitment, b"%PDF", CONTENT_LENGTH=str(200 * 1024 * 1024))

    # then: each refused with its code, the file field named, and nothing stored
    assert (unsigned.status_code, unsigned.json()["code"]) == (400, "unsigned")
    assert (empty.status_code, empty.json()["code"]) == (400, "invalid")
    assert empty.json()["fields"] == {"file": [gettext("Choose the signed PDF file.")]}
    assert [(r.status_code, r.json()["code"]) for r in (over, declared)] == [
        (400, "too_large"),
        (400, "too_large"),
    ]
    assert _stored_state(commitment) == before


def _revoking_crl(ca: ForeignCa, serial: int, tmp_path: Path) -> str:
    now = datetime.now(UTC)
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca.certificate.subject)
        .last_update(now - timedelta(hours=1))
        .next_update(now + timedelta(days=7))
        .add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(serial)
            .revocation_date(now - timedelta(minutes=5))
            .build()
        )
        .sign(ca.key, hashes.SHA256())
    )
    path = tmp_path / "usb.crl"
    path.write_bytes(crl.public_bytes(serialization.Encoding.PEM))
    return str(path)


def _tampered(world, commitment, ca, settings, tmp_path) -> bytes:
    data = _signed_by_subject(world, commitment, ca)
    position = data.index(b"/MarkInfo") + 1
    return data[:position] + b"X" + data[position + 1 :]


def _untrusted(world, commitment, ca, settings, tmp_path) -> bytes:
    other = foreign_ca(tmp_path, "Unknown-CA")
    return _signed_by_subject(world, commitment, other)


def _expired(world, commitment, ca, settings, tmp_path) -> bytes:
    return _signed_by_subject(world, commitment, ca, expired=True)


def _revoked(world, commitment, ca, settings, tmp_path) -> bytes:
    key, certificate = usb_key(ca, world.subject.code)
    settings.SIGNING_TRUST_CRLS = [_revoking_crl(ca, certificate.serial_number, tmp_path)]
    return sign_elsewhere(rendered(commitment), ca, key, certificate)


def _wrong_subject(world, commitment, ca, settings, tmp_path) -> bytes:
    key, certificate = usb_key(ca, "91110000100000000X")
    return sign_elsewhere(rendered(commitment), ca, key, certificate)


def _wrong_document(world, commitment, ca, settings, tmp_path) -> bytes:
    key, certificate = usb_key(ca, world.subject.code)
    other = rendered(commitment).replace(b"/MarkInfo", b"/XarkInfo")
    return sign_elsewhere(other, ca, key, certificate)


def _not_pdf(world, commitment, ca, settings, tmp_path) -> bytes:
    return b"PK\x03\x04 a zip file"


def _truncated(world, commitment, ca, settings, tmp_path) -> bytes:
    data = _signed_by_subject(world, commitment, ca)
    return data[: len(data) // 2]


def _too_large(world, commitment, ca, settings, tmp_path) -> bytes:
    settings.SIGNING_UPLOAD_MAX_BYTES = 1000  # passes the declared-length check, stops streaming
    return b"%PDF-" + b"0" * 5000


def _javascript(world, commitment, ca, settings, tmp_path) -> bytes:
    return javascript_pdf(_signed_by_subject(world, commitment, ca))


def _encrypted(world, commitment, ca, settings, tmp_path) -> bytes:
    return encrypted_pdf()


def _unsigned(world, commitment, ca, settings, tmp_path) -> bytes:
    return rendered(commitment)


@pytest.mark.parametrize(
    ("make", "code", "words"),
    [
        (_tampered, "tampered", "changed after it was signed"),
        (_untrusted, "untrusted", "not issued by a certification authority this platform trusts"),
        (_expired, "expired", "has expired"),
        (_revoked, "revoked", "revoked"),
        (_wrong_subject, "wrong_subject", "belongs to someone else"),
        (_wrong_document, "wrong_document", "not the commitment as the platform rendered it"),
        (_not_pdf, "not_pdf", "not a PDF"),
        (_truncated, "truncated", "incomplete or damaged"),
        (_too_large, "too_large", "too large"),
        (_javascript, "active_content", "scripts or automatic actions"),
        (_encrypted, "encrypted", "password-protected"),
        (_unsigned, "unsigned", "no electronic signature"),
    ],
)
def test_a_bad_file_is_refused_with_its_code_and_reason_and_nothing_is_stored(
    world, commitment, usb_ca, api_as, settings, tmp_path, make, code, words
):
    # given
    data = make(world, commitment, usb_ca, settings, tmp_path)
    before = _stored_state(commitment)

    # when
    response = _upload(api_as(world.applicant), commitment, data)

    # then
    assert response.status_code == 400, response.content
    message = refusal_message(code)
    assert response.json() == {"code": code, "message": message, "fields": {"file": [message]}}
    with translation.override("en"):
        assert words in refusal_message(code)
    assert _stored_state(commitment) == before


def test_a_200_mb_upload_is_refused_before_it_is_read(world, commitment, api_as):
    # given a request declaring 200 MB (the body is never read)
    before = _stored_state(commitment)

    # when
    response = api_as(world.applicant).post(
        _url(commitment),
        data=b"x" * 10,
        content_type="multipart/form-data; boundary=BOUNDARY",
        CONTENT_LENGTH=str(200 * 1024 * 1024),
    )

    # then
    assert response.status_code == 400
    assert response.json()["code"] == "too_large"
    assert _stored_state(commitment) == before


def test_a_request_without_a_file_names_the_file_field(world, commitment, api_as):
    before = _stored_state(commitment)

    response = api_as(world.applicant).post(_url(commitment), {}, format="multipart")

    assert response.status_code == 400
    message = gettext("Choose the signed PDF file.")
    assert response.json() == {"code": "invalid", "message": message, "fields": {"file": [message]}}
    assert _stored_state(commitment) == before


@pytest.mark.parametrize(("who", "status"), [("stranger", 404), ("foreign_regulator", 404)])
def test_only_the_applicant_may_upload_for_its_commitment(
    world, commitment, usb_ca, api_as, who, status
):
    # given a validly signed file, sent by someone else
    data = _signed_by_subject(world, commitment, usb_ca)
    before = _stored_state(commitment)

    # when
    response = _upload(api_as(getattr(world, who)), commitment, data)

    # then
    assert response.status_code == status
    assert response.json()["code"] == "not_found"
    assert _stored_state(commitment) == before


def test_an_anonymous_upload_is_refused(world, commitment, usb_ca):
    data = _signed_by_subject(world, commitment, usb_ca)
    before = _stored_state(commitment)

    response = _upload(APIClient(), commitment, data)

    assert response.status_code == 401
    assert _stored_state(commitment) == before


def test_the_schema_describes_the_upload_as_multipart_or_pdf_with_the_error_envelope(db):
    schema = APIClient().get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/commitments/{reference}/upload-signed/"]["post"]

    assert operation["operationId"] == "commitments_upload_signed"
    assert set(operation["requestBody"]["content"]) == {"multipart/form-data", "application/pdf"}
    assert operation["responses"]["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    assert "`wrong_subject`" in operation["responses"]["400"]["description"]
