"""The platform root: creation, reuse across processes, encryption at rest, refusal."""

from __future__ import annotations

import multiprocessing
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from signing.ca.authority import ca_clear_cache, ca_ensure, ca_get
from signing.errors import (
    CertificateAuthorityInvalid,
    CertificateAuthorityMissing,
    SigningErrorCode,
)


def _mode(path: str) -> int:
    return stat.S_IMODE(Path(path).stat().st_mode)


def test_ca_get_creates_a_self_signed_root_when_autocreate_and_files_missing(settings):
    # given no CA files and SIGNING_CA_AUTOCREATE (the fixture)
    assert not Path(settings.SIGNING_CA_CERT_PATH).exists()

    # when
    authority = ca_get()

    # then
    certificate = authority.certificate
    assert certificate.subject.rfc4514_string() == "O=Chengnuo,CN=Chengnuo Platform Root CA"
    assert certificate.issuer == certificate.subject
    basic = certificate.extensions.get_extension_for_class(x509.BasicConstraints)
    assert basic.critical is True
    assert basic.value.ca is True
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.key_cert_sign is True
    assert usage.crl_sign is True
    assert isinstance(authority.private_key, ec.EllipticCurvePrivateKey)
    assert certificate.not_valid_after_utc - certificate.not_valid_before_utc > timedelta(days=3650)
    assert _mode(settings.SIGNING_CA_CERT_PATH) == 0o600
    assert _mode(settings.SIGNING_CA_KEY_PATH) == 0o600


def test_ca_get_reuses_the_existing_files(settings):
    # given a CA created by an earlier process
    first = ca_get()
    key_stat = Path(settings.SIGNING_CA_KEY_PATH).stat()
    ca_clear_cache()

    # when
    second, created = ca_ensure()

    # then
    assert created is False
    assert second.fingerprint_sha256 == first.fingerprint_sha256
    assert Path(settings.SIGNING_CA_KEY_PATH).stat().st_ino == key_stat.st_ino
    assert Path(settings.SIGNING_CA_KEY_PATH).stat().st_mtime_ns == key_stat.st_mtime_ns


def test_ca_get_loads_the_key_once_per_process():
    # given
    first = ca_get()

    # when
    second = ca_get()

    # then
    assert second is first


def _start_and_report(queue, barrier) -> None:
    barrier.wait()
    authority, created = ca_ensure()
    queue.put((authority.fingerprint_sha256, created))


def test_processes_starting_at_once_end_with_one_ca(settings):
    # given four processes that all find the CA missing at the same moment
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    barrier = context.Barrier(4)
    processes = [context.Process(target=_start_and_report, args=(queue, barrier)) for _ in range(4)]

    # when
    for process in processes:
        process.start()
    results = [queue.get(timeout=30) for _ in processes]
    for process in processes:
        process.join(timeout=30)

    # then
    fingerprints = {fingerprint for fingerprint, _created in results}
    assert len(fingerprints) == 1
    assert sorted(created for _fingerprint, created in results) == [False, False, False, True]
    assert ca_get().fingerprint_sha256 == fingerprints.pop()
    leftovers = sorted(path.name for path in Path(settings.SIGNING_CA_KEY_PATH).parent.iterdir())
    assert leftovers == ["ca.crt", "ca.key", "ca.key.lock", "ca.key.password"]


def test_ca_ensure_refuses_to_create_when_autocreate_is_off(settings):
    # given
    settings.SIGNING_CA_AUTOCREATE = False

    # when
    with pytest.raises(CertificateAuthorityMissing) as raised:
        ca_ensure()

    # then
    assert raised.value.code == SigningErrorCode.CA_MISSING
    assert "SIGNING_CA_CERT_PATH" in raised.value.message
    assert "SIGNING_CA_AUTOCREATE" in raised.value.message
    assert not Path(settings.SIGNING_CA_CERT_PATH).exists()
    assert not Path(settings.SIGNING_CA_KEY_PATH).exists()


def test_the_embedded_default_encrypts_the_ca_key_with_a_generated_password(settings):
    # given no configured password (the fixture)
    # when
    ca_get()

    # then
    password_file = Path(settings.SIGNING_CA_KEY_PATH + ".password")
    assert _mode(str(password_file)) == 0o600
    assert len(password_file.read_bytes()) == 43
    assert b"ENCRYPTED PRIVATE KEY" in Path(settings.SIGNING_CA_KEY_PATH).read_bytes()


def test_an_encrypted_ca_key_needs_the_right_password(settings):
    # given a CA created with a password
    settings.SIGNING_CA_KEY_PASSWORD = "correct horse"
    created = ca_get()
    assert b"ENCRYPTED PRIVATE KEY" in Path(settings.SIGNING_CA_KEY_PATH).read_bytes()
    ca_clear_cache()

    # when the password is right / wrong
    reloaded = ca_get()
    ca_clear_cache()
    settings.SIGNING_CA_KEY_PASSWORD = "wrong"
    with pytest.raises(CertificateAuthorityInvalid) as raised:
        ca_get()

    # then
    assert reloaded.fingerprint_sha256 == created.fingerprint_sha256
    assert raised.value.code == SigningErrorCode.CA_INVALID


def test_a_key_that_does_not_match_the_certificate_is_refused(settings, tmp_path):
    # given the certificate of one CA next to the key of another
    ca_get()
    other_key = ec.generate_private_key(ec.SECP256R1())
    Path(settings.SIGNING_CA_KEY_PATH).chmod(0o600)
    password = Path(settings.SIGNING_CA_KEY_PATH + ".password").read_bytes()
    Path(settings.SIGNING_CA_KEY_PATH).write_bytes(
        other_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(password),
        )
    )
    ca_clear_cache()

    # when / then
    with pytest.raises(CertificateAuthorityInvalid, match="does not belong"):
        ca_get()
