"""Renew a B-LTA archive before its last document timestamp stops being verifiable."""

from __future__ import annotations

import io
from datetime import datetime

from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers, timestamps
from pyhanko.sign.general import SigningError as HankoSigningError

from signing.ca.authority import ca_get
from signing.errors import InvalidPdf, SigningFailed, TimestampUnavailable
from signing.pades.reader import MALFORMED_INPUT
from signing.pades.seal import SealedPdf
from signing.pades.validate import validation_context
from signing.tsa import timestamper as configured_timestamper


def retimestamp_pdf(pdf: bytes, *, timestamper: timestamps.TimeStamper | None = None) -> SealedPdf:
    """Renew a B-LTA archive: embed the last timestamp's validation data, add a new one.

    The input bytes are untouched; the result is a new document (the caller stores it as a
    new version). Raises ``TimestampUnavailable`` when the timestamp service does not answer.
    """
    stamper = timestamper or configured_timestamper()
    output = io.BytesIO()
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signers.PdfTimeStamper(stamper).update_archival_timestamp_chain(
            reader, validation_context(revocation_mode="require"), in_place=False, output=output
        )
    except TimestampUnavailable:
        raise
    except HankoSigningError as error:
        if isinstance(error.__cause__, TimestampUnavailable):
            raise error.__cause__ from error
        raise SigningFailed(f"pyHanko could not renew the archive timestamp: {error}") from error
    except MALFORMED_INPUT as error:
        raise InvalidPdf(f"Cannot renew the timestamp of this PDF: {error}") from error
    data = output.getvalue()
    return SealedPdf(data=data, timestamp_expires_at=last_timestamp_expiry(data))


def last_timestamp_expiry(pdf: bytes) -> datetime:
    """Return when the last document timestamp's certificate chain ends (renew before)."""
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    timestamps_found = reader.embedded_timestamp_signatures
    if not timestamps_found:
        raise InvalidPdf("This PDF has no document timestamp.")
    last = timestamps_found[-1]
    ends = [last.signer_cert.not_valid_after]
    ends.append(ca_get().certificate.not_valid_after_utc)
    return min(ends)
