"""The platform CA: creation, reuse, refusal, and the certificates it issues."""

from __future__ import annotations

import multiprocessing
import stat
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtensionOID, NameOID
from django.core.management import CommandError, call_command

from signing.ca import ca_clear_cache, ca_ensure, ca_get, issue_signer_certificate
from signing.errors import (
    CertificateAuthorityInvalid,
    CertificateAuthorityMissing,
    InvalidIdentity,
    SigningErrorCode,
)
from signing.pades import SignerIdentity


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


def test_signer_certificate_for_a_company_carries_its_codes(settings, company):
    # when
    private_key, certificate = issue_signer_certificate(identity=company)

    # then
    subject = certificate.subject
    assert (
        subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "上海示例餐饮管理有限公司"
    )
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == (
        "上海示例餐饮管理有限公司"
    )
    assert subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == "91310000MA1FL0000X"
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_IDENTIFIER)[0].value == (
        "NTRCN-91310000MA1FL0000X"
    )
    assert subject.get_attributes_for_oid(NameOID.PSEUDONYM)[0].value == "user-42"
    assert certificate.issuer == ca_get().certificate.subject
    assert isinstance(private_key, ec.EllipticCurvePrivateKey)
    assert private_key.curve.name == "secp256r1"
    assert private_key.public_key() == certificate.public_key()
    certificate.verify_directly_issued_by(ca_get().certificate)


def test_signer_certificate_key_usage_is_signature_and_non_repudiation(company):
    # when
    _key, certificate = issue_signer_certificate(identity=company)

    # then
    extension = certificate.extensions.get_extension_for_class(x509.KeyUsage)
    assert extension.critical is True
    assert extension.value.digital_signature is True
    assert extension.value.content_commitment is True
    assert extension.value.key_encipherment is False
    assert extension.value.key_cert_sign is False
    basic = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
    assert basic.ca is False
    ski = certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    aki = certificate.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    ca_ski = ca_get().certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    assert aki.key_identifier == ca_ski.value.digest
    assert ski.digest == x509.SubjectKeyIdentifier.from_public_key(certificate.public_key()).digest


def test_signer_certificate_points_at_the_crl_only_when_configured(settings, company):
    # given a CRL address (its CRL is embedded in every sealed PDF), then none
    settings.SIGNING_CRL_URL = "http://127.0.0.1:8000/signing/ca.crl"
    _key, pointed = issue_signer_certificate(identity=company)
    settings.SIGNING_CRL_URL = ""

    # when
    _key, bare = issue_signer_certificate(identity=company)

    # then
    points = pointed.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    assert [uri.value for uri in points[0].full_name] == ["http://127.0.0.1:8000/signing/ca.crl"]
    oids = {extension.oid for extension in bare.extensions}
    assert ExtensionOID.CRL_DISTRIBUTION_POINTS not in oids
    assert ExtensionOID.AUTHORITY_INFORMATION_ACCESS not in oids


def test_signer_certificate_lives_only_for_the_configured_validity(settings, company):
    # given
    settings.SIGNING_SIGNER_CERT_VALIDITY = timedelta(minutes=30)

    # when
    _key, certificate = issue_signer_certificate(identity=company)

    # then (five minutes of back-dating for clock skew)
    lifetime = certificate.not_valid_after_utc - certificate.not_valid_before_utc
    assert lifetime == timedelta(minutes=35)


def test_signer_certificate_for_a_person_has_no_organisation_attributes(person):
    # when
    _key, certificate = issue_signer_certificate(identity=person)

    # then
    subject = certificate.subject
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME) == []
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_IDENTIFIER) == []
    assert subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == "31010119900101001X"
    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "张三"


def test_a_long_company_name_is_cut_to_the_common_name_bound(company):
    # given a 30-character name: 90 UTF-8 bytes, over the 64-byte bound of a common name
    long_name = "上海" + "示例" * 13 + "有限公司"
    identity = SignerIdentity(
        subject_code=company.subject_code,
        subject_name=long_name,
        is_organisation=True,
        user_label="user-42",
    )

    # when
    _key, certificate = issue_signer_certificate(identity=identity)

    # then
    common_name = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert common_name == long_name[:21]
    assert certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == (
        long_name
    )


def test_a_subject_code_that_is_not_printable_is_refused(company):
    # given
    identity = SignerIdentity(
        subject_code="9131 0000_X", subject_name="某公司", is_organisation=True, user_label="u"
    )

    # when / then
    with pytest.raises(InvalidIdentity) as raised:
        issue_signer_certificate(identity=identity)
    assert raised.value.code == SigningErrorCode.INVALID_IDENTITY


def test_signing_init_creates_the_ca_and_prints_its_fingerprint(settings):
    # given
    output = StringIO()

    # when
    call_command("signing_init", stdout=output)

    # then
    fingerprint = ca_get().certificate.fingerprint(hashes.SHA256()).hex().upper()
    lines = output.getvalue().splitlines()
    assert lines[0] == "Created platform CA O=Chengnuo,CN=Chengnuo Platform Root CA"
    assert lines[-1] == "SHA-256 fingerprint: " + ":".join(
        fingerprint[index : index + 2] for index in range(0, 64, 2)
    )


def test_signing_init_reports_an_existing_ca_without_changing_it(settings):
    # given
    fingerprint = ca_get().fingerprint_sha256
    output = StringIO()

    # when
    call_command("signing_init", stdout=output)

    # then
    assert output.getvalue().startswith("Found platform CA")
    assert output.getvalue().splitlines()[-1] == f"SHA-256 fingerprint: {fingerprint}"


def test_signing_init_refuses_when_autocreate_is_off_and_files_are_missing(settings):
    # given
    settings.SIGNING_CA_AUTOCREATE = False

    # when / then
    with pytest.raises(CommandError, match="SIGNING_CA_KEY_PATH"):
        call_command("signing_init", stdout=StringIO())
    assert not Path(settings.SIGNING_CA_KEY_PATH).exists()
