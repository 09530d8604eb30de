"""Bring your own signature: a commitment signed elsewhere with a foreign CA's certificate
(a "CA-issued USB key"), checked, refused with reasons, or accepted and sealed."""

from __future__ import annotations

import hashlib
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

from commitments.lifecycle.models import Commitment, IssuedForm, RegistryEvent
from commitments.lifecycle.services.commitments import (
    commitment_create,
    commitment_document,
    commitment_update_draft,
)
from commitments.lifecycle.services.signatures import (
    UPLOAD_LOOKBACK_DAYS,
    commitment_upload_check,
    issued_form_record,
)
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


def rendered(commitment: Commitment, language: str = "zh-hans", on=None) -> bytes:
    with translation.override(language):
        return render_commitment_pdf(
            commitment_document(commitment=commitment, on=on or timezone.localdate())
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


# Forms issued to be signed elsewhere (ADR 0039): an upload is checked against what was
# issued, never against what the renderer writes today.


def _download_form(world, commitment: Commitment, language: str = "en") -> bytes:
    client = Client(headers={"accept-language": language})
    client.force_login(world.applicant)
    response = client.get(f"/commitments/{commitment.reference}/preview.pdf?for=signing")
    assert response.status_code == 200
    return response.content


def _never_render(on, language: str) -> bytes:
    raise AssertionError(f"rendered for {on} in {language}: the issued forms suffice")


def test_the_form_to_sign_elsewhere_is_recorded_once_per_distinct_form(world, draft):
    # given the form downloaded twice in English, once in Chinese, and a preview to read
    english = _download_form(world, draft, "en")
    again = _download_form(world, draft, "en")
    chinese = _download_form(world, draft, "zh-hans")
    client = Client()
    client.force_login(world.applicant)
    assert client.get(f"/commitments/{draft.reference}/preview.pdf").status_code == 200

    # then: the same bytes are one record; the preview is not a form to sign
    assert again == english
    forms = IssuedForm.objects.filter(commitment=draft).order_by("language")
    assert [(f.language, f.sha256, f.size, f.rendered_on) for f in forms] == [
        ("en", hashlib.sha256(english).hexdigest(), len(english), timezone.localdate()),
        ("zh-hans", hashlib.sha256(chinese).hexdigest(), len(chinese), timezone.localdate()),
    ]
    assert {f.issued_by for f in forms} == {world.applicant}


def test_an_issued_form_is_accepted_without_rendering_it_again(world, draft, trusted_ca):
    # given a form issued three days ago, signed elsewhere
    on = timezone.localdate() - timedelta(days=3)
    form = rendered(draft, "en", on=on)
    issued_form_record(
        commitment=draft, by=world.applicant, pdf=form, rendered_on=on, language="en"
    )
    key, certificate = usb_key(trusted_ca, world.subject.code)
    data = sign_elsewhere(form, trusted_ca, key, certificate)

    # when it is checked, with a renderer that may not be asked
    signed_on, check = commitment_upload_check(commitment=draft, data=data, render=_never_render)

    # then: the form's own day is the signing date
    assert signed_on == on
    assert check.form.sha256 == hashlib.sha256(form).hexdigest()
    assert check.signer_code == world.subject.code


def test_an_issued_form_survives_a_renderer_that_now_writes_other_bytes(
    world, draft, trusted_ca, monkeypatch
):
    # given the form downloaded, then a deploy whose renderer writes other bytes
    form = _download_form(world, draft)
    real = render_commitment_pdf

    def changed_renderer(document):
        return real(document).replace(b"/MarkInfo", b"/XarkInfo")

    monkeypatch.setattr(
        "commitments.lifecycle.services.commitments.render_commitment_pdf", changed_renderer
    )
    key, certificate = usb_key(trusted_ca, world.subject.code)

    # when the signed form is uploaded
    response = _post(world, draft, sign_elsewhere(form, trusted_ca, key, certificate))

    # then it is accepted and sealed
    assert response.status_code == 302
    signed = Commitment.objects.get(pk=draft.pk)
    assert signed.status == Commitment.Status.UNDER_VERIFICATION
    assert document_read(signed.signed_document).startswith(form)


def _api_refusal(world, draft, data) -> tuple[int, dict]:
    documents, events = SignedDocument.objects.count(), RegistryEvent.objects.count()
    client = Client()
    client.force_login(world.applicant)
    response = client.post(
        f"/api/v1/commitments/{draft.reference}/upload-signed/", {"file": io.BytesIO(data)}
    )
    assert SignedDocument.objects.count() == documents  # nothing stored
    assert RegistryEvent.objects.count() == events
    assert Commitment.objects.get(pk=draft.pk).status == Commitment.Status.DRAFT
    return response.status_code, response.json()


def test_a_form_downloaded_before_an_edit_of_the_draft_is_refused_as_superseded(
    world, draft, trusted_ca
):
    # given the form downloaded and signed elsewhere, then the draft edited
    before = _download_form(world, draft)
    key, certificate = usb_key(trusted_ca, world.subject.code)
    signed_before = sign_elsewhere(before, trusted_ca, key, certificate)
    commitment_update_draft(
        commitment=draft, by=world.applicant, field_values={**FIELD_VALUES, "scope": "预包装食品"}
    )

    # when the form signed before the edit is uploaded
    status, body = _api_refusal(world, draft, signed_before)

    # then it is refused with its own reason, and the form of the edited draft is accepted
    assert (status, body["code"], list(body["fields"])) == (400, "superseded", ["file"])
    assert "downloaded before the commitment was last edited" in body["message"]
    form = IssuedForm.objects.get(commitment=draft)
    assert form.superseded_at is not None
    after = _download_form(world, draft)
    assert after != before
    response = _post(world, draft, sign_elsewhere(after, trusted_ca, key, certificate))
    assert response.status_code == 302
    assert Commitment.objects.get(pk=draft.pk).status == Commitment.Status.UNDER_VERIFICATION


def test_a_form_issued_again_after_an_edit_is_reverted_is_a_new_issue(world, draft, trusted_ca):
    # given the form downloaded, the draft edited and edited back, the form downloaded again
    first = _download_form(world, draft)
    for values in ({**FIELD_VALUES, "scope": "预包装食品"}, FIELD_VALUES):
        commitment_update_draft(commitment=draft, by=world.applicant, field_values=values)
    again = _download_form(world, draft)

    # then: the same bytes, issued twice, the first issue superseded
    assert again == first
    issues = IssuedForm.objects.filter(commitment=draft).order_by("pk")
    assert [form.superseded_at is None for form in issues] == [False, True]
    key, certificate = usb_key(trusted_ca, world.subject.code)
    signed_on, _check = commitment_upload_check(
        commitment=draft,
        data=sign_elsewhere(again, trusted_ca, key, certificate),
        render=_never_render,
    )
    assert signed_on == timezone.localdate()


def test_an_altered_issued_form_is_refused_naming_the_file(world, draft, trusted_ca):
    # given the issued form, changed before it was signed
    form = _download_form(world, draft)
    altered = form.replace(b"/MarkInfo", b"/XarkInfo")
    key, certificate = usb_key(trusted_ca, world.subject.code)

    # when
    status, body = _api_refusal(world, draft, sign_elsewhere(altered, trusted_ca, key, certificate))

    # then
    assert status == 400
    assert body["code"] == "wrong_document"
    assert list(body["fields"]) == ["file"]
    assert "not the commitment as the platform rendered it" in body["message"]


def test_a_form_never_issued_is_refused_once_forms_are_recorded(world, draft, trusted_ca):
    # given the English form issued; the Chinese one, rendered today, never was
    _download_form(world, draft, "en")
    never_issued = rendered(draft, "zh-hans")
    key, certificate = usb_key(trusted_ca, world.subject.code)

    # when
    status, body = _api_refusal(
        world, draft, sign_elsewhere(never_issued, trusted_ca, key, certificate)
    )

    # then
    assert status == 400
    assert (body["code"], list(body["fields"])) == ("wrong_document", ["file"])
    assert IssuedForm.objects.filter(commitment=draft).count() == 1


def test_a_form_issued_more_than_a_week_ago_is_refused(world, draft, trusted_ca):
    # given a form issued one day beyond the week an upload may take
    on = timezone.localdate() - timedelta(days=UPLOAD_LOOKBACK_DAYS + 1)
    form = rendered(draft, "en", on=on)
    issued_form_record(
        commitment=draft, by=world.applicant, pdf=form, rendered_on=on, language="en"
    )
    key, certificate = usb_key(trusted_ca, world.subject.code)

    # when
    status, body = _api_refusal(world, draft, sign_elsewhere(form, trusted_ca, key, certificate))

    # then
    assert (status, body["code"]) == (400, "wrong_document")


def test_without_a_recorded_form_the_renders_of_the_last_week_are_accepted(
    world, draft, trusted_ca
):
    # given a form downloaded before forms were recorded: rendered five days ago, in English
    on = timezone.localdate() - timedelta(days=5)
    key, certificate = usb_key(trusted_ca, world.subject.code)
    data = sign_elsewhere(rendered(draft, "en", on=on), trusted_ca, key, certificate)
    renders = []

    def render(day, language: str) -> bytes:
        renders.append((day, language))
        return rendered(draft, language, on=day)

    # when
    signed_on, _check = commitment_upload_check(commitment=draft, data=data, render=render)

    # then: checked against the renders of each day of the week, in both languages
    assert signed_on == on
    assert len(renders) == 2 * (UPLOAD_LOOKBACK_DAYS + 1)
    assert not IssuedForm.objects.filter(commitment=draft).exists()
