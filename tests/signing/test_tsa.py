"""Trusted time: the embedded RFC 3161 authority, over real HTTP on loopback."""

from __future__ import annotations

import asyncio
import shutil
import subprocess

import pytest
from asn1crypto import tsp
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID
from django.test import Client

from signing.errors import TimestampUnavailable
from signing.keys import platform_key
from signing.pades import sign_pdf, validate_pdf
from signing.pdf import render_commitment_pdf
from signing.tsa import DEFAULT_POLICY_OID, timestamp_check, timestamper
from tests.signing.tsa_server import closed_port_url, running_tsa


def test_a_signature_through_the_http_tsa_is_b_t_and_valid(settings, commitment, company, tmp_path):
    # given the TSA served over HTTP on loopback
    with running_tsa() as url:
        settings.SIGNING_TSA_URL = url

        # when
        signed = sign_pdf(render_commitment_pdf(commitment), signer=company, reason="承诺")

    # then: the signature carries a trusted RFC 3161 timestamp
    report = validate_pdf(signed.data)
    signature = report.signatures[0]
    assert report.is_valid is True
    assert signature.timestamp_time is not None
    assert signature.timestamp_trusted is True
    if shutil.which("pdfsig"):
        path = tmp_path / "bt.pdf"
        path.write_bytes(signed.data)
        output = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
        assert output.count("Signature is Valid.") == 1


def test_the_tsa_answers_with_our_policy_and_a_timestamping_certificate(settings):
    # given
    with running_tsa() as url:
        # when
        moment = timestamp_check(url)

    # then
    assert moment.tzinfo is not None
    unit = platform_key("tsa").certificate
    usage = unit.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert usage.critical is True
    assert list(usage.value) == [ExtendedKeyUsageOID.TIME_STAMPING]
    token = asyncio.run(timestamper().async_timestamp(b"\x01" * 32, "sha256"))
    info = token["content"]["encap_content_info"]["content"].parsed
    assert info["policy"].dotted == DEFAULT_POLICY_OID


def test_the_tsa_refuses_other_content_types_and_garbage():
    # given
    client = Client()

    # when
    wrong_type = client.post("/tsa/", data=b"x", content_type="application/octet-stream")
    garbage = client.post("/tsa/", data=b"not asn.1", content_type="application/timestamp-query")

    # then
    assert wrong_type.status_code == 415
    assert garbage.status_code == 400


def test_the_tsa_reply_is_a_granted_rfc_3161_response():
    # given a request for a SHA-256 digest
    request = tsp.TimeStampReq(
        {
            "version": "v1",
            "message_imprint": {
                "hash_algorithm": {"algorithm": "sha256"},
                "hashed_message": b"\x02" * 32,
            },
            "cert_req": True,
        }
    )

    # when
    response = Client().post(
        "/tsa/", data=request.dump(), content_type="application/timestamp-query"
    )

    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/timestamp-reply"
    reply = tsp.TimeStampResp.load(response.content)
    assert reply["status"]["status"].native == "granted"


def test_a_tsa_that_is_down_gives_a_clear_error(settings, commitment, company):
    # given nothing listening where the TSA should be
    settings.SIGNING_TSA_URL = closed_port_url()

    # when / then
    with pytest.raises(TimestampUnavailable) as raised:
        sign_pdf(render_commitment_pdf(commitment), signer=company, reason="承诺")
    assert "did not answer" in raised.value.message
