"""The platform's RFC 3161 timestamp authority, in-process and over HTTP, and when it is down."""

from __future__ import annotations

import asyncio
import shutil
import subprocess

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from signing.ca.keys import platform_key
from signing.errors import TimestampUnavailable
from signing.pades.sign import sign_pdf
from signing.pades.validate import validate_pdf
from signing.render.commitment import render_commitment_pdf
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


def test_a_tsa_that_is_down_gives_a_clear_error(settings, commitment, company):
    # given nothing listening where the TSA should be
    settings.SIGNING_TSA_URL = closed_port_url()

    # when / then
    with pytest.raises(TimestampUnavailable) as raised:
        sign_pdf(render_commitment_pdf(commitment), signer=company, reason="承诺")
    assert "did not answer" in raised.value.message


@pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl")
def test_openssl_verifies_a_reply_of_the_embedded_authority_against_the_root(tmp_path):
    # given a request made by openssl, with a nonce and the certificate asked for
    from cryptography.hazmat.primitives import serialization

    from signing.ca.authority import ca_get
    from signing.tsa import tsa_respond

    data, query, reply = tmp_path / "data", tmp_path / "query.tsq", tmp_path / "reply.tsr"
    root = tmp_path / "root.pem"
    data.write_bytes("承诺书 CN-1".encode())
    root.write_bytes(ca_get().certificate.public_bytes(serialization.Encoding.PEM))
    subprocess.run(
        ["openssl", "ts", "-query", "-data", str(data), "-sha256", "-cert", "-out", str(query)],
        check=True,
    )

    # when the authority answers it
    reply.write_bytes(tsa_respond(query.read_bytes()))

    # then openssl checks the token: status, imprint, nonce, signature, chain to the root
    verified = subprocess.run(
        ["openssl", "ts", "-verify", "-queryfile", str(query), "-in", str(reply)]
        + ["-CAfile", str(root)],
        capture_output=True,
        text=True,
    )
    assert "Verification: OK" in verified.stdout, verified.stdout + verified.stderr
    shown = subprocess.run(
        ["openssl", "ts", "-reply", "-in", str(reply), "-text"], capture_output=True, text=True
    ).stdout
    assert f"Policy OID: {DEFAULT_POLICY_OID}" in shown
    assert "Chengnuo Timestamping Unit" in shown
