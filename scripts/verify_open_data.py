#!/usr/bin/env python3
"""Check that an open data feed page or CSV dump is the platform's, byte for byte, and that
every item in it is what the transparency log holds.

Standalone: Python 3.11+, its standard library and the ``cryptography`` package
(``pip install cryptography``); no Chengnuo code. Usage (docs/open-data.md):

    python3 scripts/verify_open_data.py https://chengnuo.example/api/v1/open-data/feed.json
    python3 scripts/verify_open_data.py https://chengnuo.example/api/v1/open-data/events.csv
    python3 scripts/verify_open_data.py --body feed.json --headers headers.txt \\
        --certificate certificate.pem [--root platform-root.pem]

With a URL the script fetches the body with its headers, and ``certificate.pem`` next to it
(unless ``--certificate`` is given). With a saved body it reads the response headers that
``curl -D headers.txt`` saved, or the signature given by ``--signature``. It checks:

1. the seal certificate (the first in ``certificate.pem``) is issued by the platform root
   (``--root``, obtained from the city out of band; otherwise the root served after the seal,
   which proves less, and the report says so), and its SHA-256 fingerprint equals the
   ``Chengnuo-Signature-Key`` header;
2. ``Chengnuo-Signature`` (base64 DER ECDSA P-256 / SHA-256) verifies over exactly the body;
3. each item (row): leaf_hash = SHA-256(0x00 || SHA-256(salt || canonical JSON of the event)),
   and a subject still named opens the event's subject commitment
   SHA-256(subject salt || canonical JSON of {"name", "code"}); a withheld subject names no one.

Prints one line per check and exits 0 ("open data verified"), 1 when a check failed (saying
which), 2 when the input could not be read.
"""

from __future__ import annotations

import argparse
import base64
import csv
import hashlib
import io
import json
import sys
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

SIGNATURE_HEADER = "chengnuo-signature"
KEY_HEADER = "chengnuo-signature-key"
TIMEOUT_SECONDS = 30


class InputError(Exception):
    """The body, headers or certificates could not be obtained or read."""


@dataclass
class Report:
    """The checks made, in order; failed when any failed."""

    lines: list[str] = field(default_factory=list)
    failed: bool = False

    def ok(self, text: str) -> None:
        self.lines.append(f"OK      {text}")

    def fail(self, text: str) -> None:
        self.lines.append(f"FAILED  {text}")
        self.failed = True

    def note(self, text: str) -> None:
        self.lines.append(f"NOTE    {text}")


def canonical_json(value: object) -> bytes:
    """Sorted keys, no spaces, UTF-8 kept: the one form the log hashes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def salted(salt_hex: str, value: object) -> bytes:
    return hashlib.sha256(bytes.fromhex(salt_hex) + canonical_json(value)).digest()


def leaf_hash(salt_hex: str, event: dict) -> str:
    return hashlib.sha256(b"\x00" + salted(salt_hex, event)).hexdigest()


def fetch(url: str) -> tuple[bytes, dict[str, str]]:
    """GET ``url``: the body and the headers (names lower-cased)."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise InputError(f"{url}: only http(s) addresses can be fetched.")
    request = urllib.request.Request(url, headers={"Accept": "*/*"})  # noqa: S310 - http(s) only
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.read(), {k.lower(): v for k, v in response.headers.items()}
    except OSError as error:
        raise InputError(f"{url}: {error}") from None


def read_headers(path: str) -> dict[str, str]:
    """Headers as ``curl -D`` saves them (the last response's, names lower-cased)."""
    headers: dict[str, str] = {}
    with open(path, encoding="latin-1") as lines:
        for line in lines:
            if line.upper().startswith("HTTP/"):
                headers = {}
            name, colon, value = line.partition(":")
            if colon:
                headers[name.strip().lower()] = value.strip()
    return headers


def check_certificates(
    certificates: list[x509.Certificate], root: x509.Certificate | None, key: str, report: Report
) -> x509.Certificate:
    if not certificates:
        raise InputError("certificate.pem holds no certificate.")
    seal = certificates[0]
    if root is None:
        if len(certificates) < 2:
            raise InputError("No root certificate: pass --root.")
        root = certificates[1]
        report.note("root certificate taken from certificate.pem itself; pass --root for proof")
    try:
        seal.verify_directly_issued_by(root)
        report.ok(f"seal certificate issued by the root ({root.subject.rfc4514_string()})")
    except (ValueError, TypeError, InvalidSignature):
        report.fail("the seal certificate is not issued by the root certificate")
    fingerprint = seal.fingerprint(hashes.SHA256()).hex()
    if not key:
        report.fail("no Chengnuo-Signature-Key header")
    elif key.lower() == fingerprint:
        report.ok(f"Chengnuo-Signature-Key is the seal certificate's fingerprint {fingerprint}")
    else:
        report.fail(f"Chengnuo-Signature-Key {key} is not the seal certificate's {fingerprint}")
    return seal


def check_signature(body: bytes, signature: str, seal: x509.Certificate, report: Report) -> None:
    if not signature:
        report.fail("no Chengnuo-Signature header")
        return
    try:
        public_key = seal.public_key()
        if not isinstance(public_key, ec.EllipticCurvePublicKey):
            raise TypeError("not an EC key")
        public_key.verify(base64.b64decode(signature), body, ec.ECDSA(hashes.SHA256()))
        report.ok(f"Chengnuo-Signature verifies over the {len(body)} bytes of the body")
    except (ValueError, TypeError, InvalidSignature):
        report.fail(
            "Chengnuo-Signature does not verify: the body is not the one the platform signed"
        )


def check_item(
    where: str,
    *,
    event: dict,
    salt: str,
    leaf: str,
    subject: dict | None,
    report: Report,
) -> bool:
    """Check one item's leaf and subject disclosure; whether it held."""
    if leaf_hash(salt, event) != leaf:
        report.fail(f"{where}: leaf_hash is not SHA-256(0x00 || SHA-256(salt || event))")
        return False
    if subject is None:
        return True
    commitment = (event.get("subject") or {}).get("commitment")
    opened = {"name": subject.get("name"), "code": subject.get("code")}
    if salted(subject.get("salt") or "", opened).hex() != commitment:
        report.fail(f"{where}: the subject named does not open the event's subject commitment")
        return False
    return True


def check_feed(body: bytes, report: Report) -> None:
    feed = json.loads(body)
    items = feed.get("items", [])
    held, withheld = 0, 0
    for item in items:
        extension = item["_chengnuo"]
        where = f"item {extension['leaf_index']}"
        withheld += extension.get("subject") is None
        held += check_item(
            where,
            event=extension["event"],
            salt=extension["salt"],
            leaf=extension["leaf_hash"],
            subject=extension.get("subject"),
            report=report,
        )
    if held == len(items):
        report.ok(
            f"{len(items)} items: every leaf recomputed, {withheld} with the subject withheld"
        )
    if feed.get("_chengnuo", {}).get("has_more"):
        report.note(f"more items follow: {feed.get('next_url')}")


def check_csv(body: bytes, report: Report) -> None:
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    held, withheld = 0, 0
    for row in rows:
        subject = None
        if row["subject_salt"]:
            subject = {
                "name": row["subject_name"],
                "code": row["subject_code"] or None,
                "salt": row["subject_salt"],
            }
        withheld += subject is None
        held += check_item(
            f"row {row['leaf_index']}",
            event=json.loads(row["event_json"]),
            salt=row["salt"],
            leaf=row["leaf_hash"],
            subject=subject,
            report=report,
        )
    if held == len(rows):
        report.ok(f"{len(rows)} rows: every leaf recomputed, {withheld} with the subject withheld")


def verify(
    *,
    body: bytes,
    headers: dict[str, str],
    certificates_pem: bytes,
    root_pem: bytes | None,
) -> Report:
    """Run every check on a served body; the report says what held."""
    report = Report()
    try:
        certificates = x509.load_pem_x509_certificates(certificates_pem)
        root = x509.load_pem_x509_certificate(root_pem) if root_pem else None
    except ValueError as error:
        raise InputError(f"certificates: {error}") from None
    seal = check_certificates(certificates, root, headers.get(KEY_HEADER, ""), report)
    check_signature(body, headers.get(SIGNATURE_HEADER, ""), seal, report)
    try:
        if body.startswith(b"\xef\xbb\xbf"):
            check_csv(body, report)
        else:
            check_feed(body, report)
    except (ValueError, KeyError, TypeError) as error:
        report.fail(f"the body is neither the feed nor the CSV dump: {error!r}")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", nargs="?", help="feed.json or events.csv address to fetch")
    parser.add_argument("--body", help="a saved feed.json or events.csv")
    parser.add_argument("--headers", help="its response headers (curl -D headers.txt)")
    parser.add_argument("--signature", help="the Chengnuo-Signature value, instead of --headers")
    parser.add_argument("--key", help="the Chengnuo-Signature-Key value, instead of --headers")
    parser.add_argument("--certificate", help="certificate.pem (seal, then root)")
    parser.add_argument("--root", help="the platform root certificate, obtained out of band")
    args = parser.parse_args(argv)
    if bool(args.url) == bool(args.body):
        parser.error("give either a URL or --body")
    try:
        if args.url:
            body, headers = fetch(args.url)
            certificate_url = urllib.parse.urljoin(args.url, "certificate.pem")
        else:
            with open(args.body, "rb") as saved:
                body = saved.read()
            headers = read_headers(args.headers) if args.headers else {}
            certificate_url = None
        if args.signature:
            headers[SIGNATURE_HEADER] = args.signature
        if args.key:
            headers[KEY_HEADER] = args.key
        if args.certificate:
            with open(args.certificate, "rb") as pem:
                certificates_pem = pem.read()
        elif certificate_url:
            certificates_pem, _ = fetch(certificate_url)
        else:
            raise InputError("a saved body needs --certificate")
        root_pem = None
        if args.root:
            with open(args.root, "rb") as pem:
                root_pem = pem.read()
        report = verify(
            body=body, headers=headers, certificates_pem=certificates_pem, root_pem=root_pem
        )
    except (InputError, OSError) as error:
        print(f"ERROR   {error}", file=sys.stderr)
        return 2
    print("\n".join(report.lines))
    if report.failed:
        print("open data NOT verified")
        return 1
    print("open data verified")
    return 0


if __name__ == "__main__":
    sys.exit(main())
