"""Bring your own signature: a commitment signed elsewhere with a foreign CA's certificate
(a "CA-issued USB key"), checked, refused with reasons, or accepted and sealed."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.test import Client
from django.utils import timezone, translation
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from commitments.lifecycle.models import Commitment, RegistryEvent
from commitments.lifecycle.services.commitments import commitment_create, commitment_document
from signing.models import SignedDocument
from signing.pades.validate import validate_pdf
from signing.render.commitment import render_commitment_pdf
from signing.storage import document_read
from tests.workflows.conftest import FIELD_VALUES

# The signing files of this test's own, and English messages.
pytestmark = pytest.mark.usefixtures("signing_files", "english")


@dataclass
class ForeignCa:
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate
    path: Path


def _name(common_name: str, code: str | None = None) -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if code:
        attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, code))
    return x509.Name(attributes)


def foreign_ca(tmp_path: Path, label: str) -> ForeignCa:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(f"{label} Root"))
        .issuer_name(_name(f"{label} Root"))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    path = tmp_path / f"{label}.pem"
    path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return ForeignCa(key, certificate, path)


def usb_key(ca: ForeignCa, code: str, *, expired: bool = False):
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    start, end = (
        (now - timedelta(days=400), now - timedelta(days=30))
        if expired
        else (
            now - timedelta(days=1),
            now + timedelta(days=365),
        )
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name("深圳市示例餐饮有限公司", code))
        .issuer_name(ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False),
            critical=True,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False
        )
        .sign(ca.key, hashes.SHA256())
    )
    return key, certificate


def sign_elsewhere(pdf: bytes, ca: ForeignCa, key, certificate) -> bytes:
    """What a desktop signing tool does: stock pyHanko, its own key and certificate."""
    signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(
            certificate.public_bytes(serialization.Encoding.DER)
        ),
        signing_key=asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        ),
        cert_registry=SimpleCertificateStore.from_certs(
            [asn1_x509.Certificate.load(ca.certificate.public_bytes(serialization.Encoding.DER))]
        ),
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    out = io.BytesIO()
    signers.PdfSigner(
        signers.PdfSignatureMetadata(
            field_name="Signature", subfilter=fields.SigSeedSubFilter.PADES
        ),
        signer=signer,
    ).sign_pdf(writer, output=out)
    return out.getvalue()


@pytest.fixture
def draft(world) -> Commitment:
    return commitment_create(
        by=world.applicant,
        subject=world.subject,
        template=world.template,
        field_values=FIELD_VALUES,
    )


@pytest.fixture
def trusted_ca(settings, tmp_path) -> ForeignCa:
    ca = foreign_ca(tmp_path, "USB-CA")
    settings.SIGNING_TRUST_ROOTS = [str(ca.path)]
    settings.SIGNING_TRUST_CRLS = []
    return ca


def rendered(commitment: Commitment, language: str = "zh-hans") -> bytes:
    with translation.override(language):
        return render_commitment_pdf(
            commitment_document(commitment=commitment, on=timezone.localdate())
        )


def _post(world, commitment: Commitment, data: bytes):
    client = Client()
    client.force_login(world.applicant)
    return client.post(
        f"/commitments/{commitment.reference}/upload-signed/", {"file": io.BytesIO(data)}
    )


def test_a_commitment_signed_with_a_trusted_usb_key_is_accepted_and_sealed(
    world, draft, trusted_ca
):
    # given
    key, certificate = usb_key(trusted_ca, world.subject.code)
    data = sign_elsewhere(rendered(draft), trusted_ca, key, certificate)

    # when
    response = _post(world, draft, data)

    # then
    assert response.status_code == 302
    signed = Commitment.objects.get(pk=draft.pk)
    assert signed.status == Commitment.Status.UNDER_VERIFICATION
    stored = document_read(signed.signed_document)
    assert stored.startswith(data)  # the seal is an incremental update of the upload
    report = validate_pdf(stored)
    assert [s.field_name for s in report.signatures] == ["Signature", "PlatformSeal"]
    assert report.signatures[0].intact is True
    assert report.signatures[0].signer_code == world.subject.code
    assert report.signatures[1].bottom_line is True
    assert RegistryEvent.objects.filter(commitment=signed, event_type="signed").count() == 1


def _refusal(world, draft, data) -> tuple[int, str]:
    documents = SignedDocument.objects.count()
    response = _post(world, draft, data)
    assert SignedDocument.objects.count() == documents  # nothing stored
    assert Commitment.objects.get(pk=draft.pk).status == Commitment.Status.DRAFT
    return response.status_code, response.context["error"]


def test_a_signature_by_another_subject_is_refused(world, draft, trusted_ca):
    key, certificate = usb_key(trusted_ca, "91110000100000000X")
    status, message = _refusal(
        world, draft, sign_elsewhere(rendered(draft), trusted_ca, key, certificate)
    )
    assert status == 400
    assert "belongs to someone else" in message


def test_an_expired_certificate_is_refused(world, draft, trusted_ca):
    key, certificate = usb_key(trusted_ca, world.subject.code, expired=True)
    status, message = _refusal(
        world, draft, sign_elsewhere(rendered(draft), trusted_ca, key, certificate)
    )
    assert status == 400
    assert "has expired" in message


def test_a_revoked_certificate_is_refused(settings, world, draft, trusted_ca, tmp_path):
    # given the issuer's CRL lists the certificate
    key, certificate = usb_key(trusted_ca, world.subject.code)
    now = datetime.now(UTC)
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(trusted_ca.certificate.subject)
        .last_update(now - timedelta(hours=1))
        .next_update(now + timedelta(days=7))
        .add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(certificate.serial_number)
            .revocation_date(now - timedelta(minutes=5))
            .build()
        )
        .sign(trusted_ca.key, hashes.SHA256())
    )
    crl_path = tmp_path / "usb.crl"
    crl_path.write_bytes(crl.public_bytes(serialization.Encoding.PEM))
    settings.SIGNING_TRUST_CRLS = [str(crl_path)]

    status, message = _refusal(
        world, draft, sign_elsewhere(rendered(draft), trusted_ca, key, certificate)
    )
    assert status == 400
    assert "revoked" in message


def test_a_certificate_from_an_untrusted_ca_is_refused(world, draft, trusted_ca, tmp_path):
    other = foreign_ca(tmp_path, "Unknown-CA")
    key, certificate = usb_key(other, world.subject.code)
    status, message = _refusal(
        world, draft, sign_elsewhere(rendered(draft), other, key, certificate)
    )
    assert status == 400
    assert "not issued by a certification authority this platform trusts" in message


def test_a_different_document_is_refused(world, draft, trusted_ca):
    key, certificate = usb_key(trusted_ca, world.subject.code)
    other = rendered(draft).replace(b"/MarkInfo", b"/XarkInfo")
    status, message = _refusal(world, draft, sign_elsewhere(other, trusted_ca, key, certificate))
    assert status == 400
    assert "not the commitment as the platform rendered it" in message


def test_a_tampered_signed_file_is_refused(world, draft, trusted_ca):
    key, certificate = usb_key(trusted_ca, world.subject.code)
    data = sign_elsewhere(rendered(draft, "en"), trusted_ca, key, certificate)
    position = data.index(b"/MarkInfo") + 1
    tampered = data[:position] + b"X" + data[position + 1 :]
    status, message = _refusal(world, draft, tampered)
    assert status == 400
    assert "changed after it was signed" in message


def test_a_non_pdf_upload_is_refused(world, draft, trusted_ca):
    status, message = _refusal(world, draft, b"PK\x03\x04 a zip file")
    assert status == 400
    assert "not a PDF" in message
