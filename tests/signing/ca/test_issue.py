"""The certificates the platform CA issues to applicants: codes, key usage, CRL pointer, life."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtensionOID, NameOID

from signing.ca.authority import ca_get
from signing.ca.issue import issue_signer_certificate
from signing.errors import InvalidIdentity, SigningErrorCode
from signing.identity import SignerIdentity


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
