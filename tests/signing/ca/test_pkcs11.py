"""The platform CA's key on a PKCS#11 device (SoftHSM2): created there by ``signing_ca
create``, used to issue certificates and the CRL, checked by ``signing_ca check``."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.management import CommandError, call_command

from signing.ca.authority import ca_clear_cache, ca_get, root_certificate_build
from signing.ca.issue import issue_signer_certificate
from signing.ca.pkcs11 import DeviceConfig, device_key_generate, device_sessions_close
from signing.ca.revocation import crl_current
from signing.errors import CertificateAuthorityInvalid, CertificateAuthorityMissing
from signing.identity import SignerIdentity
from tests.signing.softhsm import SOFTHSM_MODULE, requires_softhsm, softhsm_token_init

TOKEN, PIN, SO_PIN, LABEL = "chengnuo-ca-test", "97531", "13579", "ca"

pytestmark = requires_softhsm


@pytest.fixture
def device(settings, tmp_path: Path, monkeypatch) -> Iterator[dict]:
    """A fresh, empty SoftHSM2 token; the CA configured on it, its PIN in a 0600 file."""
    device_sessions_close()
    softhsm_token_init(tmp_path, monkeypatch, label=TOKEN, pin=PIN, so_pin=SO_PIN)
    pin_file = tmp_path / "ca-pin"
    pin_file.write_text(PIN + "\n")
    pin_file.chmod(0o600)
    value = {
        "module": SOFTHSM_MODULE,
        "token_label": TOKEN,
        "key_label": LABEL,
        "user_pin_file": str(pin_file),
    }
    settings.SIGNING_CA_AUTOCREATE = False
    settings.SIGNING_CA_PKCS11 = value
    settings.SIGNING_CA_KEY_PASSWORD = "platform keys password"  # the seal and TSA key files
    ca_clear_cache()
    yield value
    ca_clear_cache()
    device_sessions_close()


def _run(*args: str) -> str:
    output = StringIO()
    call_command("signing_ca", *args, stdout=output)
    return output.getvalue()


def test_create_generates_the_key_on_the_device_and_writes_only_the_certificate(device, settings):
    # when
    output = _run("create")

    # then the certificate is written, and no key file
    assert "Key: PKCS#11 token 'chengnuo-ca-test', key 'ca'" in output
    assert Path(settings.SIGNING_CA_CERT_PATH).exists()
    assert not Path(settings.SIGNING_CA_KEY_PATH).exists()
    # and the platform issues a signer certificate and the CRL with the key on the device
    authority = ca_get()
    _key, signer = issue_signer_certificate(
        identity=SignerIdentity(
            subject_code="91440300MA5FL0000X",
            subject_name="深圳市示例餐饮有限公司",
            is_organisation=True,
            user_label="user-1",
        )
    )
    signer.verify_directly_issued_by(authority.certificate)
    assert crl_current().is_signature_valid(authority.certificate.public_key())
    # and the key cannot leave the device
    with pytest.raises(CertificateAuthorityInvalid, match="cannot be exported"):
        authority.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    # and the check passes
    check = _run("check")
    assert "OK      device key: token 'chengnuo-ca-test', key 'ca' signs (secp256r1)" in check
    assert check.splitlines()[-1] == "The platform CA passed every check."


def test_import_installs_the_certificate_of_a_key_already_on_the_device(device, settings):
    # given a key made on the device and its root certified elsewhere (here: by the device)
    key = device_key_generate(DeviceConfig.from_setting(device), key_type="ec-p384")
    certificate = root_certificate_build(private_key=key, common_name="深圳市信用承诺根证书")
    source = Path(settings.SIGNING_CA_CERT_PATH).parent.parent / "from-ceremony.crt"
    source.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))

    # when
    _run("import", "--certificate", str(source))

    # then
    assert ca_get().certificate == certificate
    assert "passed every check" in _run("check")


def test_import_refuses_a_key_file_when_the_key_is_on_the_device(device, settings, tmp_path):
    # given a certificate and a key file exported from somewhere
    certificate = root_certificate_build(private_key=ec.generate_private_key(ec.SECP256R1()))
    (tmp_path / "x.crt").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "x.key").write_bytes(b"-----BEGIN PRIVATE KEY-----")

    # when / then
    with pytest.raises(CommandError, match="the key is on the device, import the certificate"):
        _run("import", "--certificate", str(tmp_path / "x.crt"), "--key", str(tmp_path / "x.key"))
    assert not Path(settings.SIGNING_CA_CERT_PATH).exists()


def test_the_platform_refuses_a_certificate_of_another_key(device, settings):
    # given a CA on the device, then its certificate replaced by one of another key
    _run("create")
    other = Path(settings.SIGNING_CA_CERT_PATH)
    stranger = root_certificate_build(private_key=ec.generate_private_key(ec.SECP256R1()))
    other.write_bytes(stranger.public_bytes(serialization.Encoding.PEM))
    ca_clear_cache()

    # when / then
    with pytest.raises(CertificateAuthorityInvalid, match="does not belong to the certificate"):
        ca_get()
    output = StringIO()
    with pytest.raises(CommandError, match="key matches certificate"):
        call_command("signing_ca", "check", stdout=output)


def test_check_refuses_a_pin_file_others_may_read(device):
    _run("create")
    Path(device["user_pin_file"]).chmod(0o644)

    output = StringIO()
    with pytest.raises(CommandError, match="PIN file"):
        call_command("signing_ca", "check", stdout=output)
    assert "mode 0644: the group or others may access it" in output.getvalue()


def test_check_reports_a_wrong_pin(device):
    _run("create")
    Path(device["user_pin_file"]).write_text("11111")

    output = StringIO()
    with pytest.raises(CommandError, match="device key"):
        call_command("signing_ca", "check", stdout=output)
    assert "Cannot open the PKCS#11 token 'chengnuo-ca-test' (check the PIN in" in output.getvalue()


def test_the_setting_may_not_hold_the_pin(device, settings):
    settings.SIGNING_CA_PKCS11 = {**device, "user_pin": PIN}

    with pytest.raises(CommandError, match="must not hold the PIN"):
        _run("create")
    assert not Path(settings.SIGNING_CA_CERT_PATH).exists()


def test_the_platform_says_what_to_run_when_the_certificate_is_missing(device):
    with pytest.raises(CertificateAuthorityMissing, match="signing_ca create"):
        ca_get()
