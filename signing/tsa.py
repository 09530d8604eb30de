"""Trusted time: the embedded RFC 3161 timestamp authority and the client the signing path uses.

The embedded authority signs timestamp tokens with the platform's timestamping unit (an EC
key and a certificate with the critical timeStamping EKU issued by ``signing.ca.issue``), under
our own policy OID (``SIGNING_TSA_POLICY_OID``). ``tsa_respond`` answers a DER
``TimeStampReq`` with a DER ``TimeStampResp``; ``signing.pages.TimestampView`` serves it at
``POST /tsa/`` (``application/timestamp-query`` -> ``application/timestamp-reply``) for
anyone, including another deployment.

``timestamper()`` is what the signing path uses: with ``SIGNING_TSA_URL`` set, an
HTTP client against that RFC 3161 service (ours at ``/tsa/`` or any other); with it empty
(the embedded default), the same authority called in-process — a web worker calling its own
server over HTTP could wait on itself. Failures of the service become
``TimestampUnavailable``, which callers treat as "retry later", never as a lost commitment.
"""

from __future__ import annotations

import asyncio
import http.client
import urllib.request
from datetime import UTC, datetime

from asn1crypto import algos, cms, core, keys, tsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from pyhanko.sign import general, timestamps
from pyhanko.sign.general import simple_cms_attribute
from pyhanko.sign.timestamps.common_utils import TimestampRequestError, get_nonce

from signing.ca.authority import ca_get
from signing.ca.keys import platform_key
from signing.errors import InvalidTimestampRequest, TimestampUnavailable
from signing.pades.signers import der_element

# A placeholder arc under which a city would register its own TSA policy; configurable.
DEFAULT_POLICY_OID = "1.3.6.1.4.1.59075.1.1"
_HASHES = {"sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}


class PlatformTimeStamper(timestamps.DummyTimeStamper):
    """pyHanko's in-process authority, with our policy OID and an EC key kept as an object.

    The stock class is RSA-only and re-parses its key for every token (~40 ms for RSA).
    """

    def __init__(self) -> None:
        unit = platform_key("tsa")
        authority = ca_get()
        super().__init__(
            tsa_cert=_asn1(unit.certificate),
            tsa_key=keys.PrivateKeyInfo.load(
                unit.private_key.private_bytes(
                    serialization.Encoding.DER,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            ),
            certs_to_embed=[_asn1(authority.certificate)],
        )
        self._key = unit.private_key
        self._policy = getattr(settings, "SIGNING_TSA_POLICY_OID", "") or DEFAULT_POLICY_OID
        # The parts of every token that depend only on the unit's certificate, kept as DER:
        # asn1crypto re-serialises a copied certificate name field by field (~5 ms a token).
        self._tsa_name_der = asn1_x509.GeneralName(
            name="directory_name", value=self.tsa_cert.subject
        ).dump()
        self._ess_attribute_der = simple_cms_attribute(
            "signing_certificate_v2", general.as_signing_certificate_v2(self.tsa_cert)
        ).dump()
        self._sid_der = cms.SignerIdentifier(
            {
                "issuer_and_serial_number": cms.IssuerAndSerialNumber(
                    {"issuer": self.tsa_cert.issuer, "serial_number": self.tsa_cert.serial_number}
                )
            }
        ).dump()
        self._policy_der = core.ObjectIdentifier(self._policy).dump()
        self._certificates_der = (
            b"\xa0" + cms.CertificateSet([self.tsa_cert, *self.certs_to_embed]).dump()[1:]
        )
        self._content_type_attribute_der = simple_cms_attribute("content_type", "tst_info").dump()
        self._signing_time_oid = cms.CMSAttributeType("signing_time").dump()
        self._message_digest_oid = cms.CMSAttributeType("message_digest").dump()
        self._tst_info_oid = cms.ContentType("tst_info").dump()
        self._signed_data_oid = cms.ContentType("signed_data").dump()
        self._granted_der = tsp.PKIStatusInfo({"status": "granted"}).dump()
        self._algorithm_ders: dict[str, tuple[bytes, bytes]] = {}

    def request_tsa_response(self, req):  # type: ignore[no-untyped-def]
        """Answer ``req`` with a token written as DER: the parts that depend only on the
        unit (its name, certificates, signer identifier, signing-certificate attribute, the
        algorithm identifiers) are kept as DER, the rest is joined around them. asn1crypto
        builds pyHanko's token field by field and re-encodes the copied names (~1.3 ms a
        token, three per sealed commitment); the DER is the same structure (RFC 3161: a
        TSTInfo under our policy, signed with signed attributes content type, signing time,
        signing certificate v2 and message digest)."""
        imprint = req["message_imprint"]
        md_algorithm = imprint["hash_algorithm"]["algorithm"].native.lower()
        hash_class = _HASHES[md_algorithm]
        moment = self.fixed_dt or datetime.now(UTC)
        nonce = req["nonce"]
        tst_info = der_element(
            0x30,
            b"\x02\x01\x01"  # version v1
            + self._policy_der
            + imprint.dump()
            + core.Integer(get_nonce()).dump()
            + core.GeneralizedTime(moment).dump()
            + (nonce.dump() if nonce.native is not None else b"")
            + der_element(0xA0, self._tsa_name_der),
        )
        digest = hashes.Hash(hash_class())
        digest.update(tst_info)
        attributes = (
            self._content_type_attribute_der
            + der_element(
                0x30, self._signing_time_oid + der_element(0x31, core.UTCTime(moment).dump())
            )
            + self._ess_attribute_der
            + der_element(
                0x30,
                self._message_digest_oid + der_element(0x31, der_element(0x04, digest.finalize())),
            )
        )
        signature = self._key.sign(der_element(0x31, attributes), ec.ECDSA(hash_class()))
        digest_algorithm, signature_algorithm = self._algorithms(md_algorithm)
        signer_info = der_element(
            0x30,
            b"\x02\x01\x01"  # version v1: issuer and serial number
            + self._sid_der
            + digest_algorithm
            + der_element(0xA0, attributes)
            + signature_algorithm
            + der_element(0x04, signature),
        )
        signed_data = der_element(
            0x30,
            b"\x02\x01\x03"  # version v3
            + der_element(0x31, digest_algorithm)
            + der_element(
                0x30,
                self._tst_info_oid + der_element(0xA0, der_element(0x04, tst_info)),
            )
            + self._certificates_der
            + der_element(0x31, signer_info),
        )
        token = der_element(0x30, self._signed_data_oid + der_element(0xA0, signed_data))
        return tsp.TimeStampResp.load(der_element(0x30, self._granted_der + token))

    def _algorithms(self, md_algorithm: str) -> tuple[bytes, bytes]:
        """The DER of the digest and signature algorithm identifiers for a hash."""
        found = self._algorithm_ders.get(md_algorithm)
        if found is None:
            found = self._algorithm_ders[md_algorithm] = (
                algos.DigestAlgorithm({"algorithm": md_algorithm}).dump(),
                algos.SignedDigestAlgorithm({"algorithm": f"{md_algorithm}_ecdsa"}).dump(),
            )
        return found


_embedded: dict[str, PlatformTimeStamper] = {}


def embedded_authority() -> PlatformTimeStamper:
    """Return this process's embedded authority (rebuilt when the TSA certificate changes)."""
    unit = platform_key("tsa")
    key = f"{unit.certificate.serial_number:x}"
    authority = _embedded.get(key)
    if authority is None:
        _embedded.clear()
        authority = _embedded[key] = PlatformTimeStamper()
    return authority


def tsa_respond(request_der: bytes) -> bytes:
    """Answer one DER TimeStampReq with a DER TimeStampResp signed by the embedded authority.

    Raises ``InvalidTimestampRequest`` for bytes that are not a well-formed request.
    """
    try:
        request = tsp.TimeStampReq.load(request_der)
        request.native  # noqa: B018 - parse fully now, not half-way through answering
        algorithm = request["message_imprint"]["hash_algorithm"]["algorithm"].native
    except (ValueError, TypeError, KeyError) as error:
        raise InvalidTimestampRequest(f"Not an RFC 3161 timestamp request: {error}") from error
    if algorithm not in _HASHES:
        raise InvalidTimestampRequest(f"Unsupported hash algorithm {algorithm!r}.")
    authority = embedded_authority()
    authority.fixed_dt = None
    response = authority.request_tsa_response(request)
    return response.dump()


class _CheckedHttpTimeStamper(timestamps.TimeStamper):
    """An RFC 3161 client over HTTP(S); every failure of the service is TimestampUnavailable.

    A plain blocking POST (``urllib``): pyHanko's aiohttp client opens and closes a client
    session, a resolver thread and an event loop for every token, ~60 ms on loopback
    against ~2 ms for the request itself, three times per sealed commitment. Signing runs
    in sync code (views, Celery workers), where blocking for the answer is what we want.
    """

    def __init__(self, url: str, *, timeout: float = 10) -> None:
        super().__init__()
        self.url = url
        self.timeout = timeout

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        """POST the request and parse the reply; raise ``TimestampUnavailable`` on failure."""
        request = urllib.request.Request(  # noqa: S310 - a configured http(s) URL
            self.url,
            data=req.dump(),
            headers={"Content-Type": "application/timestamp-query"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                content_type = response.headers.get("Content-Type", "")
                body = response.read()
        except (OSError, TimeoutError, http.client.HTTPException) as error:
            raise TimestampUnavailable(
                f"The timestamp service at {self.url} did not answer: {error}"
            ) from error
        if content_type.split(";")[0].strip() != "application/timestamp-reply":
            raise TimestampUnavailable(
                f"The timestamp service at {self.url} did not answer with a timestamp reply"
                f" ({content_type or 'no content type'})."
            )
        try:
            return tsp.TimeStampResp.load(body)
        except ValueError as error:
            raise TimestampUnavailable(
                f"The timestamp service at {self.url} sent an unreadable reply: {error}"
            ) from error

    async def async_timestamp(self, message_digest, md_algorithm):  # type: ignore[no-untyped-def]
        """Request a token; a refused or malformed reply is TimestampUnavailable too."""
        try:
            return await super().async_timestamp(message_digest, md_algorithm)
        except TimestampRequestError as error:
            raise TimestampUnavailable(
                f"The timestamp service at {self.url} did not answer: {error}"
            ) from error


def timestamper() -> timestamps.TimeStamper:
    """Return the timestamper for new signatures (see the module docstring)."""
    url = getattr(settings, "SIGNING_TSA_URL", "")
    if not url:
        return embedded_authority()
    return _CheckedHttpTimeStamper(url, timeout=int(getattr(settings, "SIGNING_TSA_TIMEOUT", 10)))


def timestamp_check(url: str) -> datetime:
    """Ask the TSA at ``url`` for one token and return its time (a health check)."""
    stamper = _CheckedHttpTimeStamper(url, timeout=5)
    token = asyncio.run(stamper.async_timestamp(b"\x00" * 32, "sha256"))
    info = token["content"]["encap_content_info"]["content"].parsed
    return info["gen_time"].native.astimezone(UTC)


def _asn1(certificate) -> asn1_x509.Certificate:  # type: ignore[no-untyped-def]
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))
