"""Signed webhooks: how Chengnuo signs a delivery, how a receiver checks one, which URLs may
receive them (docs/webhooks.md).

A delivery is an HTTP POST of a JSON body with three headers:

- ``Chengnuo-Webhook-Id``: the delivery's identity, the same on every retry of it;
- ``Chengnuo-Webhook-Timestamp``: when this attempt was signed, in Unix seconds;
- ``Chengnuo-Webhook-Signature``: ``v1=`` and the lowercase hex HMAC-SHA256, under the
  subscriber's secret, of ``<id>.<timestamp>.<body>`` (the body's bytes as sent).

A receiver recomputes the HMAC (constant-time comparison), rejects a timestamp further than
the tolerance (five minutes) from its clock, and rejects an id it has already accepted: an old
or replayed delivery is refused even with a valid signature. ``webhook_verify`` and
``ReplayGuard`` do exactly that and need only the standard library, so a receiver can copy
this module.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import time
from collections import OrderedDict
from collections.abc import Mapping
from urllib.parse import urlsplit

HEADER_ID = "Chengnuo-Webhook-Id"
HEADER_TIMESTAMP = "Chengnuo-Webhook-Timestamp"
HEADER_SIGNATURE = "Chengnuo-Webhook-Signature"
SIGNATURE_VERSION = "v1"
DEFAULT_TOLERANCE_SECONDS = 300


def webhook_secret_new() -> str:
    """A new subscriber secret: 32 random bytes, URL-safe text."""
    return "whsec_" + secrets.token_urlsafe(32)


def webhook_signature(*, secret: str, delivery_id: str, timestamp: int, body: bytes) -> str:
    """The value of the signature header for one attempt."""
    message = f"{delivery_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return f"{SIGNATURE_VERSION}={digest}"


def webhook_headers(*, secret: str, delivery_id: str, body: bytes, now: float | None = None):
    """The headers of one signed attempt (signed at ``now``, Unix seconds)."""
    timestamp = int(time.time() if now is None else now)
    return {
        "Content-Type": "application/json; charset=utf-8",
        HEADER_ID: delivery_id,
        HEADER_TIMESTAMP: str(timestamp),
        HEADER_SIGNATURE: webhook_signature(
            secret=secret, delivery_id=delivery_id, timestamp=timestamp, body=body
        ),
    }


class WebhookRejected(Exception):
    """A receiver's refusal of a delivery, with the reason (``code``) it was refused."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class ReplayGuard:
    """The ids a receiver has accepted within the tolerance window (bounded, in memory).

    A receiver with several processes keeps the ids in its database instead (a unique key on
    the id); this class is the single-process version and the reference for the rule.
    """

    def __init__(self, *, tolerance: int = DEFAULT_TOLERANCE_SECONDS, capacity: int = 100_000):
        self.tolerance = tolerance
        self.capacity = capacity
        self._seen: OrderedDict[str, int] = OrderedDict()

    def accept(self, delivery_id: str, timestamp: int) -> bool:
        """Remember ``delivery_id``; False if it was already accepted (a replay)."""
        horizon = timestamp - 2 * self.tolerance
        while self._seen and (
            next(iter(self._seen.values())) < horizon or len(self._seen) >= self.capacity
        ):
            self._seen.popitem(last=False)
        if delivery_id in self._seen:
            return False
        self._seen[delivery_id] = timestamp
        return True


def _header(headers: Mapping[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return ""


def webhook_verify(
    *,
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    guard: ReplayGuard | None = None,
    now: float | None = None,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
) -> str:
    """Check one received delivery; return its id, or raise ``WebhookRejected`` saying why.

    Order: the headers are present, the signature matches (so nothing unsigned is trusted),
    the timestamp is within ``tolerance`` seconds of ``now``, and the id was not accepted
    before (``guard``).
    """
    delivery_id = _header(headers, HEADER_ID)
    stamp = _header(headers, HEADER_TIMESTAMP)
    signature = _header(headers, HEADER_SIGNATURE)
    if not (delivery_id and stamp and signature):
        raise WebhookRejected("missing_header", "A signature header is missing.")
    try:
        timestamp = int(stamp)
    except ValueError:
        raise WebhookRejected("bad_timestamp", "The timestamp is not a whole number.") from None
    expected = webhook_signature(
        secret=secret, delivery_id=delivery_id, timestamp=timestamp, body=body
    )
    if not hmac.compare_digest(expected.encode(), signature.strip().encode()):
        raise WebhookRejected("bad_signature", "The signature does not match the body.")
    moment = time.time() if now is None else now
    if abs(moment - timestamp) > tolerance:
        raise WebhookRejected("stale", "The delivery is older than the tolerance allows.")
    if guard is not None and not guard.accept(delivery_id, timestamp):
        raise WebhookRejected("replayed", "This delivery was already accepted.")
    return delivery_id


# -- which URLs may receive webhooks --------------------------------------------------------


def _blocked_address(host: str) -> bool:
    """True for a literal address (or ``localhost``) that is not on the public internet."""
    if host.lower() in {"localhost", "localhost.localdomain"} or host.lower().endswith(
        ".localhost"
    ):
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return not address.is_global


def webhook_url_problem(
    url: str, *, own_hosts: set[str], allow_private: bool, max_length: int = 254
) -> str | None:
    """Why ``url`` may not receive webhooks, or None. The reasons are translatable keys:

    ``scheme`` (not http or https), ``host`` (no host), ``own`` (the platform itself),
    ``private`` (loopback, private or link-local, refused unless ``allow_private``),
    ``credentials`` (a user or password in the URL), ``length``.
    """
    if len(url) > max_length:
        return "length"
    if any(ord(character) < 33 or ord(character) == 127 for character in url):
        return "host"  # spaces and control characters (NUL included) belong in no URL
    try:
        parts = urlsplit(url)
        port = parts.port  # raises for a port out of range
    except ValueError:
        return "host"
    if parts.scheme not in {"http", "https"}:
        return "scheme"
    host = (parts.hostname or "").lower()
    if not host:
        return "host"
    if parts.username or parts.password:
        return "credentials"
    port = port or (443 if parts.scheme == "https" else 80)
    if host in own_hosts or f"{host}:{port}" in own_hosts:
        return "own"
    if not allow_private and _blocked_address(host):
        return "private"
    return None
