"""The platform seal on a PKCS#11 device (SoftHSM2): a key generated on the token, certified
by the platform CA, seals a real commitment PDF that pdfsig and pyHanko validate."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.reader import PdfFileReader

from signing.ca.authority import ca_get
from signing.ca.keys import platform_certificate_issue, platform_key
from signing.pades.seal import seal_pdf
from signing.pades.sign import sign_pdf
from signing.pades.signers import pkcs11_signers_close
from signing.pades.validate import validate_pdf, validate_pdf_offline
from signing.render.commitment import render_commitment_pdf
from tests.signing.softhsm import SOFTHSM_MODULE, requires_softhsm, softhsm_token_init

TOKEN, PIN, SO_PIN, LABEL = "chengnuo-test", "2468", "13579", "seal"

pytestmark = requires_softhsm


@pytest.fixture
def token(tmp_path: Path, monkeypatch) -> Iterator[str]:
    """A fresh SoftHSM2 token in this test's folder, with an EC P-256 key generated on it."""
    import pkcs11
    from pkcs11 import Attribute, KeyType
    from pkcs11.util.ec import encode_named_curve_parameters

    softhsm_token_init(tmp_path, monkeypatch, label=TOKEN, pin=PIN, so_pin=SO_PIN)
    library = pkcs11.lib(SOFTHSM_MODULE)
    with library.get_token(token_label=TOKEN).open(rw=True, user_pin=PIN) as session:
        parameters = session.create_domain_parameters(
            KeyType.EC,
            {Attribute.EC_PARAMS: encode_named_curve_parameters("secp256r1")},
            local=True,
        )
        public, _private = parameters.generate_keypair(store=True, label=LABEL, id=b"\x01")
        public_key = serialization.load_der_public_key(_spki(public))
        certificate = platform_certificate_issue("seal", public_key=public_key)
        session.create_object(
            {
                Attribute.CLASS: pkcs11.ObjectClass.CERTIFICATE,
                Attribute.CERTIFICATE_TYPE: pkcs11.CertificateType.X_509,
                Attribute.TOKEN: True,
                Attribute.LABEL: LABEL,
                Attribute.ID: b"\x01",
                Attribute.SUBJECT: certificate.subject.public_bytes(),
                Attribute.VALUE: certificate.public_bytes(serialization.Encoding.DER),
            }
        )
    pkcs11_signers_close()
    yield certificate
    pkcs11_signers_close()


def _spki(public) -> bytes:  # type: ignore[no-untyped-def]
    from pkcs11.util.ec import encode_ec_public_key

    return encode_ec_public_key(public)


def test_the_seal_made_on_a_pkcs11_token_validates_with_pdfsig_and_pyhanko(
    settings, token, commitment, company, tmp_path
):
    # given the seal configured on the token, and a commitment the applicant signed
    device_certificate: x509.Certificate = token
    settings.SIGNING_SEAL_PKCS11 = {
        "module": SOFTHSM_MODULE,
        "token_label": TOKEN,
        "key_label": LABEL,
        "user_pin": PIN,
    }
    signed = sign_pdf(render_commitment_pdf(commitment), signer=company, reason="承诺")

    # when the platform seals it
    sealed = seal_pdf(signed.data, reference=commitment.reference, verify_url="http://x/v/CN-1/")

    # then the seal was made by the key on the device, not by the seal key file
    report = validate_pdf(sealed.data)
    assert [s.field_name for s in report.signatures] == ["Applicant", "PlatformSeal"]
    applicant, seal = report.signatures
    seal_certificate = (
        PdfFileReader(io.BytesIO(sealed.data)).embedded_regular_signatures[1].signer_cert
    )
    assert seal_certificate.serial_number == device_certificate.serial_number
    assert seal_certificate.serial_number != platform_key("seal").certificate.serial_number
    assert seal.signer_name == "Chengnuo Platform Seal"
    assert seal.is_platform_seal is True
    assert report.is_valid is True
    assert applicant.bottom_line is True and seal.bottom_line is True
    # and pyHanko's AdES process validates both offline with only the root
    root = ca_get().certificate.public_bytes(serialization.Encoding.DER)
    assert validate_pdf_offline(sealed.data, root_certificate_der=root) == ("PASSED", "PASSED")
    # and poppler's pdfsig finds both signatures valid
    if shutil.which("pdfsig") is None:
        pytest.fail("pdfsig (poppler-utils) is needed for this test")
    path = tmp_path / "sealed.pdf"
    path.write_bytes(sealed.data)
    output = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
    assert output.count("Signature is Valid.") == 2
    assert "Signature Field Name: PlatformSeal" in output
