"""Who signs: an applicant's one-off key, and the platform seal's key file or PKCS#11 device.

The stock ``SimpleSigner`` re-parses its key for every signature (~40 ms of OpenSSL key
checks for RSA); ``KeySigner`` signs with the loaded key object it was given. The seal's
signer is built once per process (and per PKCS#11 session once per thread).
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import os
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from django.conf import settings
from pyhanko.config.pkcs11 import TokenCriteria
from pyhanko.sign import attributes, signers
from pyhanko.sign import pkcs11 as hanko_pkcs11
from pyhanko_certvalidator.registry import SimpleCertificateStore

from signing.ca.authority import ca_get
from signing.ca.keys import platform_key


class KeySigner(signers.Signer):
    """A pyHanko signer holding a loaded ``cryptography`` key object.

    The stock ``SimpleSigner`` re-parses its key from DER for every signature, which for
    RSA costs ~40 ms of OpenSSL key checks; this one signs with the object it was given.
    """

    def __init__(
        self,
        *,
        private_key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey,
        certificate: asn1_x509.Certificate,
        chain: tuple[asn1_x509.Certificate, ...],
    ) -> None:
        super().__init__(
            signing_cert=certificate,
            cert_registry=SimpleCertificateStore.from_certs(chain),
            embed_roots=True,  # our root is in no trust store: ship it for offline checks
        )
        self._private_key = private_key
        self._ess_attribute: cms.CMSAttribute | None = None

    def _signed_attr_providers(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        """pyHanko's providers, with the signing-certificate attribute written as DER once.

        asn1crypto builds pyHanko's attribute field by field and re-encodes the copied issuer
        name (~3 ms, for every applicant's one-off certificate); the attribute only depends
        on the certificate, so it is written directly (``signing_certificate_attribute``).
        """
        for provider in super()._signed_attr_providers(*args, **kwargs):
            if isinstance(provider, attributes.SigningCertificateV2Provider):
                yield _CachedAttribute(self._signing_certificate_attribute())
            else:
                yield provider

    def _signing_certificate_attribute(self) -> cms.CMSAttribute:
        if self._ess_attribute is None:
            self._ess_attribute = signing_certificate_attribute(self.signing_cert)
        return self._ess_attribute

    async def async_sign_raw(
        self, data: bytes, digest_algorithm: str, dry_run: bool = False
    ) -> bytes:
        """Sign ``data`` with the in-memory key (ECDSA, or RSA PKCS#1 v1.5)."""
        hash_algorithm = _HASHES[digest_algorithm.lower()]()
        if isinstance(self._private_key, ec.EllipticCurvePrivateKey):
            return self._private_key.sign(data, ec.ECDSA(hash_algorithm))
        return self._private_key.sign(data, padding.PKCS1v15(), hash_algorithm)


# The attribute's type: id-aa-signingCertificateV2 (1.2.840.113549.1.9.16.2.47), as DER.
_SIGNING_CERTIFICATE_V2_OID = bytes.fromhex("060b2a864886f70d010910022f")


def signing_certificate_attribute(certificate: asn1_x509.Certificate) -> cms.CMSAttribute:
    """The signing-certificate-v2 attribute (RFC 5035) of ``certificate``, byte for byte
    pyHanko's (``as_signing_certificate_v2`` in ``simple_cms_attribute``): one ESSCertIDv2
    with the certificate's SHA-256 (the default algorithm, so not encoded) and its issuer
    (GeneralNames: one directoryName) and serial number, taken as the DER they have in the
    certificate; no policies.
    """
    issuer = der_element(0x30, der_element(0xA4, certificate.issuer.dump()))
    serial = certificate["tbs_certificate"]["serial_number"].dump()
    digest = hashlib.sha256(certificate.dump()).digest()
    ess_cert_id = der_element(0x30, der_element(0x04, digest) + der_element(0x30, issuer + serial))
    value = der_element(0x30, der_element(0x30, ess_cert_id))
    attribute = der_element(0x30, _SIGNING_CERTIFICATE_V2_OID + der_element(0x31, value))
    return cms.CMSAttribute.load(attribute)


def der_element(tag: int, content: bytes) -> bytes:
    """One DER element: tag, definite length, content."""
    size = len(content)
    if size < 0x80:
        return bytes((tag, size)) + content
    length = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes((tag, 0x80 | len(length))) + length + content


class _CachedAttribute(attributes.CMSAttributeProvider):
    """A signed attribute whose DER is known in advance."""

    def __init__(self, attribute: cms.CMSAttribute) -> None:
        self.attribute_type = attribute["type"].native
        self._attribute = attribute

    async def get_attribute(self, dry_run: bool = False) -> cms.CMSAttribute:
        """Return the prepared attribute."""
        return self._attribute


_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


def to_asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    """Convert a ``cryptography`` certificate to the asn1crypto object pyHanko uses."""
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def root_asn1() -> asn1_x509.Certificate:
    """Return the platform root as asn1crypto, converted once per loaded CA."""
    return _root_asn1_for(ca_get().certificate)


@functools.lru_cache(maxsize=4)
def _root_asn1_for(certificate: x509.Certificate) -> asn1_x509.Certificate:
    """Convert (and cache) one root certificate."""
    return to_asn1(certificate)


_seal_signers: dict[str, signers.Signer] = {}


def seal_signer() -> signers.Signer:
    """Return the platform seal's signer: the seal key file, or a PKCS#11 device if configured.

    ``SIGNING_SEAL_PKCS11`` (a dict: ``module``, ``token_label``, ``key_label``, optional
    ``cert_label`` (default: the key label), ``user_pin``, optional ``use_raw_mechanism``
    (default true: ECDSA over a digest computed here; false for an RSA key)) makes pyHanko's
    ``PKCS11Signer`` sign with the key on the device (package ``python-pkcs11``); the
    certificate on the device must be issued by the platform CA (``signing.ca``), whose root
    is added to the chain. Tested with SoftHSM2 (``tests/signing/pades/test_signers.py``).
    """
    pkcs11 = getattr(settings, "SIGNING_SEAL_PKCS11", None)
    if pkcs11:
        return _pkcs11_seal_signer(pkcs11)
    seal = platform_key("seal")
    key = f"{seal.certificate.serial_number:x}"
    signer = _seal_signers.get(key)
    if signer is None:
        _seal_signers.clear()
        signer = _seal_signers[key] = KeySigner(
            private_key=seal.private_key,
            certificate=to_asn1(seal.certificate),
            chain=(root_asn1(),),
        )
    return signer


# One PKCS#11 session per process and thread (sessions are neither fork- nor thread-safe).
_pkcs11_signers: dict[tuple, signers.Signer] = {}


def _pkcs11_seal_signer(config: dict) -> signers.Signer:
    """Return the seal's signer on the PKCS#11 device of ``config``, opened once per thread."""
    key_label = config["key_label"]
    cert_label = config.get("cert_label") or key_label
    root = root_asn1()
    cache_key = (
        os.getpid(),
        threading.get_ident(),
        config["module"],
        config["token_label"],
        key_label,
        cert_label,
        root.sha256,
    )
    signer = _pkcs11_signers.get(cache_key)
    if signer is None:
        session = hanko_pkcs11.open_pkcs11_session(
            config["module"],
            token_criteria=TokenCriteria(label=config["token_label"]),
            user_pin=str(config["user_pin"]),
        )
        signer = hanko_pkcs11.PKCS11Signer(
            session,
            key_label=key_label,
            cert_label=cert_label,
            ca_chain=[root],
            embed_roots=True,  # our root is in no trust store: ship it for offline checks
            # Hash here, let the device sign the digest (CKM_ECDSA): every token implements
            # it, not all the hash-and-sign ones (SoftHSM2 has no CKM_ECDSA_SHA256).
            use_raw_mechanism=bool(config.get("use_raw_mechanism", True)),
        )
        _pkcs11_signers[cache_key] = signer
    return signer


def pkcs11_signers_close() -> None:
    """Close every PKCS#11 session this process opened for the seal and forget them."""
    for signer in _pkcs11_signers.values():
        signer.pkcs11_session.close()
    _pkcs11_signers.clear()


_T = TypeVar("_T")
_loops = threading.local()


def run_sync(coroutine: Coroutine[Any, Any, _T]) -> _T:
    """Run one of pyHanko's coroutines to its end on this thread's event loop.

    pyHanko's synchronous calls (``PdfSigner.sign_pdf``) wrap the coroutine in
    ``asyncio.run``, which makes and closes a loop every time (~0.13 ms; a sign and a seal
    run three); this keeps one loop per thread. Like ``asyncio.run`` it refuses to run in
    a thread whose loop is already running (async code must call from a worker thread).
    pyHanko's wrapper also releases the network sessions of a validation context; the
    platform's signatures have none (a test checks that ``sign_pdf`` gives a valid file).
    """
    loop = getattr(_loops, "loop", None)
    if loop is None or loop.is_closed():
        loop = _loops.loop = asyncio.new_event_loop()
    return loop.run_until_complete(coroutine)
