"""The platform seal: PAdES B-LTA over a signed commitment, in two incremental updates.

Revision one: the seal signs its field with its own RFC 3161 timestamp and a pre-drawn stamp
as appearance (``signing.render.stamp``: pyHanko's own CJK text stamp costs 180 ms-1.1 s).
Revision two: the document security store with every signature's validation material, then
a document timestamp over all of it; the result validates offline for years.
"""

from __future__ import annotations

import binascii
import functools
import io
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from asn1crypto import cms
from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature as InvalidSignatureError
from pyhanko.pdf_utils import content, generic, layout
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers, timestamps
from pyhanko.sign.general import SigningError as HankoSigningError
from pyhanko.sign.general import extract_certificate_info
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.errors import ValidationInfoReadingError
from pyhanko.sign.validation.generic_cms import extract_tst_data_iter
from pyhanko.sign.validation.pdf_embedded import extract_contents
from pyhanko.stamp import StaticStampStyle

from signing.ca.authority import ca_get
from signing.ca.revocation import crl_der
from signing.errors import InvalidPdf, SigningFailed, TimestampUnavailable
from signing.pades.fields import PLATFORM_SEAL_FIELD, seal_field_describe, seal_field_spec
from signing.pades.reader import MALFORMED_INPUT, pdf_reader, reader_continued
from signing.pades.signers import root_asn1, run_sync, seal_signer
from signing.pades.writer import RevisionWriter
from signing.render.stamp import (
    STAMP_HEIGHT,
    STAMP_WIDTH,
    render_seal_stamp,
    stamp_operators,
    stamp_template,
)
from signing.tsa import timestamper as configured_timestamper

SEAL_BYTES_RESERVED = 10 * 1024  # hex digits: ~5 KB for a ~3.2 KB CMS; pyHanko parses them


class _StampContent(content.PdfContent):
    """The stamp as a form XObject: the template's drawing and font (``stamp_template``),
    copied into the document from a reader kept per process, around this seal's own QR
    code, reference and time (``stamp_operators``)."""

    def __init__(self, operators: tuple[bytes, bytes]) -> None:
        self._operators = operators
        super().__init__()

    def render(self) -> bytes:
        """Add the XObject to the document and draw it; the box is the stamp's size."""
        writer = self._ensure_writer
        page, drawing = _stamp_template_page()
        with _stamp_lock:  # the shared reader resolves objects from its stream
            resources = writer.import_object(page["/Resources"])
        before, after = self._operators
        xobject = generic.StreamObject(
            {
                pdf_name("/Type"): pdf_name("/XObject"),
                pdf_name("/Subtype"): pdf_name("/Form"),
                pdf_name("/BBox"): generic.ArrayObject(
                    generic.FloatObject(value) for value in (0, 0, STAMP_WIDTH, STAMP_HEIGHT)
                ),
                pdf_name("/Resources"): resources,
            },
            stream_data=before + drawing + after,
        )
        xobject.compress()
        name = "/Stamp" + binascii.hexlify(uuid.uuid4().bytes).decode("ascii")
        self.resources.xobject[name] = writer.add_object(xobject)
        self.box = layout.BoxConstraints(width=STAMP_WIDTH, height=STAMP_HEIGHT)
        return name.encode("ascii") + b" Do"


_stamp_pages: dict[bytes, tuple[generic.DictionaryObject, bytes]] = {}
_stamp_lock = threading.Lock()


def _stamp_template_page() -> tuple[generic.DictionaryObject, bytes]:
    """The template's page (its resources fully read) and its drawing, once per process."""
    pdf = stamp_template().pdf
    found = _stamp_pages.get(pdf)
    if found is None:
        with _stamp_lock:
            reader = PdfFileReader(io.BytesIO(pdf), strict=False)
            page = reader.root["/Pages"]["/Kids"][0].get_object()
            found = _stamp_pages[pdf] = (page, page["/Contents"].data)
    return found


def _stamp(*, reference: str, sealed_at: datetime, verify_url: str) -> content.PdfContent:
    """The seal's stamp: from the template, or drawn whole for characters outside it."""
    operators = stamp_operators(
        stamp_template(), reference=reference, sealed_at=sealed_at, verify_url=verify_url
    )
    if operators is not None:
        return _StampContent(operators)
    return _ImportedPdfBytes(
        render_seal_stamp(reference=reference, sealed_at=sealed_at, verify_url=verify_url)
    )


class _ImportedPdfBytes(content.PdfContent):
    """A page of a PDF held in memory, imported as a form XObject (pyHanko reads files only)."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        super().__init__()

    def render(self) -> bytes:
        """Import page one and draw it; the box follows the imported page's size."""
        writer = self._ensure_writer
        xobject = writer.import_page_as_xobject(PdfFileReader(io.BytesIO(self._data)), page_ix=0)
        name = "/Import" + binascii.hexlify(uuid.uuid4().bytes).decode("ascii")
        self.resources.xobject[name] = xobject
        x1, y1, x2, y2 = xobject.get_object()["/BBox"]
        self.box = layout.BoxConstraints(width=abs(x1 - x2), height=abs(y1 - y2))
        return name.encode("ascii") + b" Do"


@dataclass(frozen=True)
class SealedPdf:
    """A PDF carrying the platform seal at B-LTA, and when its last timestamp stops holding."""

    data: bytes
    timestamp_expires_at: datetime


def seal_pdf(
    pdf: bytes,
    *,
    reference: str,
    verify_url: str,
    timestamper: timestamps.TimeStamper | None = None,
    now: datetime | None = None,
    extra_trust_roots_der: Sequence[bytes] = (),
    extra_crls_der: Sequence[bytes] = (),
) -> SealedPdf:
    """Add the platform seal to a signed PDF in two incremental updates, at PAdES B-LTA.

    Revision one: the seal signs its field (with its own RFC 3161 signature timestamp) and
    the pre-drawn stamp as appearance. Revision two: the document security store with the
    validation material of every signature (signers' chains, the timestamps' chains, the
    CRL, a VRI entry per signature), then a document timestamp over all of it. Earlier
    signatures stay valid: both updates are ones pyHanko's modification analysis allows.

    The material is known, not discovered: the chains are built from the certificates in
    the signatures and the trust roots, each link's signature, validity and CRL entry is
    checked here (a revoked, expired or foreign certificate refuses the seal, as pyHanko's
    path validation did), and nothing is fetched. Raises ``TimestampUnavailable`` when the
    timestamp service does not answer. ``extra_trust_roots_der`` / ``extra_crls_der`` let
    the material of a signature made under another CA (an upload) be collected too.
    """
    stamper = _RecordingTimeStamper(timestamper or configured_timestamper())
    sealed_at = now or datetime.now(UTC)
    signer = seal_signer()
    material = _Material(
        roots=[root_asn1(), *(asn1_x509.Certificate.load(der) for der in extra_trust_roots_der)],
        crls_der=[crl_der(), *extra_crls_der],
        moment=datetime.now(UTC),
    )
    try:
        reader = pdf_reader(io.BytesIO(pdf), strict=False)
        earlier = []
        for signature in reader.embedded_regular_signatures:
            certificates = material.signed_data_chains(signature.signed_data, require_crl=False)
            for token in _signature_timestamp_tokens(signature.signer_info):
                certificates += material.signed_data_chains(token, require_crl=False)
            earlier.append((signature.pkcs7_content.hex().encode("ascii"), certificates))
        seal_chain = material.chain(signer.signing_cert, signer.cert_registry, require_crl=True)
        writer = RevisionWriter.from_reader(reader)
        if PLATFORM_SEAL_FIELD not in {
            name for name, *_rest in fields.enumerate_sig_fields(reader)
        }:
            # a sealed document without an earlier signature (a report, a notice): the field
            # and its alternative text are made in the seal's own revision
            fields.append_signature_field(writer, seal_field_spec())
            seal_field_describe(writer)
    except (*MALFORMED_INPUT, HankoSigningError) as error:
        raise InvalidPdf(f"Cannot prepare the PDF for the seal: {error}") from error
    stamp = _stamp(reference=reference, sealed_at=sealed_at, verify_url=verify_url)
    metadata = signers.PdfSignatureMetadata(
        field_name=PLATFORM_SEAL_FIELD,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=f"Chengnuo platform seal {reference}",
    )
    pdf_signer = signers.PdfSigner(
        metadata,
        signer=signer,
        timestamper=stamper,
        stamp_style=StaticStampStyle(background=stamp, border_width=0),
    )
    output = io.BytesIO()
    try:
        run_sync(
            pdf_signer.async_sign_pdf(writer, bytes_reserved=SEAL_BYTES_RESERVED, output=output)
        )
        seal_token = stamper.tokens[-1]["content"]
        seal_certificates = seal_chain + material.signed_data_chains(seal_token, require_crl=True)
        # revision two on what the first reader parsed: only the seal's new section is read
        final = RevisionWriter(output, prev=reader_continued(reader, output))
        # the seal's /Contents as written, without parsing every signature of the file again
        ((_name, seal_value, _ref),) = fields.enumerate_sig_fields(
            final.prev, with_name=PLATFORM_SEAL_FIELD
        )
        seal_contents = extract_contents(seal_value.get_object()).hex()
        _write_dss(
            final,
            entries=[*earlier, (seal_contents.encode("ascii"), seal_certificates)],
            crls=material.crls_used(),
        )
        reserved = 2 * len(seal_token.dump()) + 4096  # hex digits; the same TSA's token size
        run_sync(
            signers.PdfTimeStamper(stamper).async_timestamp_pdf(
                final, "sha256", bytes_reserved=reserved, in_place=True
            )
        )
        document_token = stamper.tokens[-1]["content"]
        material.signed_data_chains(document_token, require_crl=True)
    except TimestampUnavailable:
        raise
    except HankoSigningError as error:
        if isinstance(error.__cause__, TimestampUnavailable):
            raise error.__cause__ from error
        raise SigningFailed(f"pyHanko could not seal the PDF: {error}") from error
    except MALFORMED_INPUT as error:
        raise InvalidPdf(f"Cannot seal this PDF: {error}") from error
    data = output.getvalue()
    return SealedPdf(data=data, timestamp_expires_at=_token_expiry(document_token))


class _RecordingTimeStamper(timestamps.TimeStamper):
    """Delegate to another timestamper and keep the tokens it returned (seal, archive)."""

    def __init__(self, inner: timestamps.TimeStamper) -> None:
        super().__init__()
        self._inner = inner
        self.tokens: list[cms.ContentInfo] = []

    async def async_timestamp(self, message_digest, md_algorithm) -> cms.ContentInfo:  # type: ignore[no-untyped-def]
        """Ask the inner timestamper and remember the token."""
        token = await self._inner.async_timestamp(message_digest, md_algorithm)
        self.tokens.append(token)
        return token

    async def async_dummy_response(self, md_algorithm) -> cms.ContentInfo:  # type: ignore[no-untyped-def]
        """Size estimation only: the inner timestamper's dummy."""
        return await self._inner.async_dummy_response(md_algorithm)


def _signature_timestamp_tokens(signer_info: cms.SignerInfo) -> list[cms.SignedData]:
    """Return the SignedData of every RFC 3161 token attached to a signature."""
    tokens = []
    for signed in (False, True):
        tokens.extend(extract_tst_data_iter(signer_info, signed=signed))
    return tokens


def _write_dss(
    writer: IncrementalPdfFileWriter,
    *,
    entries: Sequence[tuple[bytes, Sequence[asn1_x509.Certificate]]],
    crls: Sequence[asn1_crl.CertificateList],
) -> None:
    """Add (or extend) the document security store: every certificate and CRL, one VRI
    entry per signature (keyed by its contents)."""
    try:
        store = DocumentSecurityStore.read_dss(writer)
        created = False
    except ValidationInfoReadingError:
        store = DocumentSecurityStore(writer=writer)
        created = True
    for contents, certificates in entries:
        store.register_vri(
            DocumentSecurityStore.sig_content_identifier(contents),
            certs=certificates,
            crls=crls,
        )
    dictionary = store.as_pdf_object()
    if created:
        writer.root[pdf_name("/DSS")] = writer.add_object(dictionary)
        writer.update_root()


class _Material:
    """The validation material of one seal: chains to the roots, and the CRLs that cover them.

    Every link is checked the way a validator would: the issuer's signature over the
    certificate, its validity at ``moment``, and its absence from the issuer's CRL (a CRL
    must be at hand for ``require_crl`` chains: the seal's and the timestamps').
    """

    def __init__(
        self,
        *,
        roots: Sequence[asn1_x509.Certificate],
        crls_der: Sequence[bytes],
        moment: datetime,
    ) -> None:
        self._roots = {root.dump(): root for root in roots}
        self._crls = [_parsed_crl(der) for der in crls_der]
        self._moment = moment
        self._used_crls: dict[bytes, asn1_crl.CertificateList] = {}

    def signed_data_chains(
        self, signed_data: cms.SignedData, *, require_crl: bool
    ) -> list[asn1_x509.Certificate]:
        """Return the chain of the signer of ``signed_data`` (its certificates as the pool)."""
        info = extract_certificate_info(signed_data)
        return self.chain(info.signer_cert, info.other_certs, require_crl=require_crl)

    def chain(
        self, certificate: asn1_x509.Certificate, pool, *, require_crl: bool
    ) -> list[asn1_x509.Certificate]:
        """Return ``certificate`` and its issuers up to a root; raise ``SigningFailed``."""
        candidates = [*pool, *self._roots.values()]
        chain = [certificate]
        current = certificate
        for _depth in range(8):
            if current.dump() in self._roots:
                return chain
            issuer = self._issuer(current, candidates)
            if issuer is None or issuer.dump() == current.dump():  # none, or self-signed
                raise SigningFailed(
                    f"No trusted chain for {current.subject.human_friendly}: cannot seal."
                )
            self._check(current, issuer, require_crl=require_crl)
            chain.append(issuer)
            current = issuer
        raise SigningFailed("The certificate chain is too long: cannot seal.")

    def crls_used(self) -> list[asn1_crl.CertificateList]:
        """Return the CRLs that covered a checked certificate, each once."""
        return list(self._used_crls.values())

    def _issuer(self, certificate, candidates):  # type: ignore[no-untyped-def]
        issuer = _name_key(certificate.issuer.dump())
        for candidate in candidates:
            if _name_key(candidate.subject.dump()) != issuer:
                continue
            if _issued_by(certificate.dump(), candidate.dump()):
                return candidate
        return None

    def _check(self, certificate, issuer, *, require_crl: bool) -> None:  # type: ignore[no-untyped-def]
        parsed = _crypto(certificate)
        if not parsed.not_valid_before_utc <= self._moment <= parsed.not_valid_after_utc:
            raise SigningFailed(
                f"The certificate of {certificate.subject.human_friendly} is not valid now."
            )
        covered = False
        for der, crl in self._crls:
            if crl.issuer != parsed.issuer or not _crl_signed_by(der, _crypto(issuer)):
                continue
            if not crl.last_update_utc <= self._moment <= (crl.next_update_utc or self._moment):
                continue
            if crl.get_revoked_certificate_by_serial_number(parsed.serial_number) is not None:
                raise SigningFailed(
                    f"The certificate of {certificate.subject.human_friendly} is revoked."
                )
            covered = True
            self._used_crls.setdefault(der, _asn1_crl(der))
        if require_crl and not covered:
            raise SigningFailed(
                f"No current CRL covers {certificate.subject.human_friendly}: cannot seal."
            )


@functools.lru_cache(maxsize=64)
def _crypto_for(der: bytes) -> x509.Certificate:
    return x509.load_der_x509_certificate(der)


def _crypto(certificate: asn1_x509.Certificate) -> x509.Certificate:
    """The ``cryptography`` view of a certificate (cached: the platform's repeat)."""
    return _crypto_for(certificate.dump())


@functools.lru_cache(maxsize=256)
def _name_key(der: bytes) -> str:
    """A name as RFC 5280 compares it (asn1crypto's ``hashable``, what ``Name.__eq__``
    compares), cached by its DER: comparing parsed names normalises every attribute again
    (~0.5 ms a comparison, a dozen per seal), and the platform's names repeat."""
    return asn1_x509.Name.load(der).hashable


@functools.lru_cache(maxsize=64)
def _issued_by(certificate_der: bytes, issuer_der: bytes) -> bool:
    """Return whether the issuer's key signed the certificate (cached: the same bytes give
    the same answer, and the platform's certificates repeat in every seal)."""
    try:
        _crypto_for(certificate_der).verify_directly_issued_by(_crypto_for(issuer_der))
    except (ValueError, TypeError, InvalidSignatureError):
        return False
    return True


@functools.lru_cache(maxsize=8)
def _parsed_crl(der: bytes) -> tuple[bytes, x509.CertificateRevocationList]:
    return der, x509.load_der_x509_crl(der)


@functools.lru_cache(maxsize=8)
def _asn1_crl(der: bytes) -> asn1_crl.CertificateList:
    return asn1_crl.CertificateList.load(der)


@functools.lru_cache(maxsize=16)
def _crl_signed_by(der: bytes, issuer: x509.Certificate) -> bool:
    """Return whether the CRL's signature verifies with the issuer's key (cached per CRL)."""
    return _parsed_crl(der)[1].is_signature_valid(issuer.public_key())  # type: ignore[arg-type]


def _token_expiry(token: cms.SignedData) -> datetime:
    """Return when a document timestamp stops holding: its TSA's or the root's end."""
    signer = extract_certificate_info(token).signer_cert
    return min(signer.not_valid_after, ca_get().certificate.not_valid_after_utc)
