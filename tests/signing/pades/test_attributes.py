"""The signed attributes written as DER directly are byte for byte the ones pyHanko builds."""

from __future__ import annotations

import dataclasses

from pyhanko.sign.general import as_signing_certificate_v2, simple_cms_attribute

from signing.pades.sign import signer_prepare
from signing.pades.signers import root_asn1, signing_certificate_attribute, to_asn1


def test_the_signing_certificate_attribute_is_pyhanko_s_for_one_off_certificates(company, person):
    long_name = dataclasses.replace(company, subject_name="深圳市" + "很长的名称" * 40 + "有限公司")
    for identity in (company, person, long_name, company, company):
        certificate = to_asn1(signer_prepare(identity=identity).certificate)
        expected = simple_cms_attribute(
            "signing_certificate_v2", as_signing_certificate_v2(certificate)
        ).dump()
        assert signing_certificate_attribute(certificate).dump() == expected


def test_the_signing_certificate_attribute_is_pyhanko_s_for_the_root():
    root = root_asn1()
    expected = simple_cms_attribute("signing_certificate_v2", as_signing_certificate_v2(root))
    attribute = signing_certificate_attribute(root)
    assert attribute.dump() == expected.dump()
    assert attribute.native == expected.native
