"""The platform CA's certificate revocation list: revoke a certificate, publish the CRL.

The CRL is small (only revoked platform certificates, which are rare: applicant certificates
live thirty minutes), signed by the CA, valid for ``SIGNING_CRL_DAYS`` and rebuilt at most
every ``CRL_REBUILD`` per process or at once after a revocation in this process. It is
served at ``SIGNING_CRL_URL`` and embedded in every sealed PDF, so validators never need to
fetch it.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.db import transaction

from signing.ca.authority import ca_get
from signing.ca.issue import CLOCK_SKEW
from signing.models import RevokedCertificate

CRL_REBUILD_SECONDS = 300

_lock = threading.Lock()
_cached: dict[str, tuple[float, x509.CertificateRevocationList]] = {}


def crl_current() -> x509.CertificateRevocationList:
    """Return the current CRL of the platform CA (rebuilt when stale)."""
    authority = ca_get()
    key = authority.fingerprint_sha256
    entry = _cached.get(key)
    now = datetime.now(UTC)
    if (
        entry is not None
        and time.monotonic() - entry[0] < CRL_REBUILD_SECONDS
        and entry[1].last_update_utc <= now <= entry[1].next_update_utc  # the clock may jump
    ):
        return entry[1]
    with _lock:
        crl = _build()
        _cached[key] = (time.monotonic(), crl)
    return crl


def crl_der() -> bytes:
    """Return the current CRL as DER (what ``application/pkix-crl`` serves)."""
    return crl_current().public_bytes(serialization.Encoding.DER)


def crl_clear_cache() -> None:
    """Forget the cached CRL (after a revocation, in tests)."""
    with _lock:
        _cached.clear()


@transaction.atomic
def certificate_revoke(*, serial_number: str, reason: str = "") -> RevokedCertificate:
    """List a platform certificate (hex serial) in the CRL from now on; idempotent."""
    serial = serial_number.lower().lstrip("0") or "0"
    int(serial, 16)  # a ValueError for anything but hex
    revoked, _created = RevokedCertificate.objects.get_or_create(
        serial_number=serial,
        defaults={"revoked_at": datetime.now(UTC), "reason": reason[:200]},
    )
    transaction.on_commit(crl_clear_cache)
    return revoked


def _build() -> x509.CertificateRevocationList:
    authority = ca_get()
    now = datetime.now(UTC)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(authority.certificate.subject)
        .last_update(now - CLOCK_SKEW)
        .next_update(now + timedelta(days=int(getattr(settings, "SIGNING_CRL_DAYS", 7))))
        .add_extension(x509.CRLNumber(int(now.timestamp() * 1000)), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(
                authority.certificate.public_key()  # type: ignore[arg-type]
            ),
            critical=False,
        )
    )
    for serial, revoked_at in RevokedCertificate.objects.values_list("serial_number", "revoked_at"):
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(int(serial, 16))
            .revocation_date(revoked_at)
            .build()
        )
    digest = hashes.SHA384() if isinstance(authority.private_key, rsa.RSAPrivateKey) else None
    return builder.sign(authority.private_key, digest or hashes.SHA256())
