#!/usr/bin/env python3
"""Recompute a published spot-check draw and check that its seed was not chosen after the fact.

Standalone: Python 3.11+ and its standard library only (the optional checkpoint signature
check uses the ``cryptography`` package when it is installed). Usage:

    python3 scripts/verify_draw.py draw.json [--root platform-root.pem]

``draw.json`` is a draw as the platform publishes it (``manage.py sampling_draw_export``):
``{"seed", "inputs", "selected"}``. The procedure (docs/verifiable-sampling.md):

1. population_hash = SHA-256 of the canonical JSON (sorted keys, no spaces, UTF-8) of
   ``{"department", "matter", "ungraded", "grades"}`` from the inputs;
2. its log leaf SHA-256(0x00 || population_hash) is entry ``leaf_index`` of the register
   under the published checkpoint (RFC 9162 inclusion proof) — so the checkpoint, and the
   seed taken from its root, came after the population was fixed;
3. seed = hex SHA-256("chengnuo-sampling-v1\\n" || root_hash || population_hash || phrase);
4. per grade with a policy: sorted(random.Random(f"{seed}:{grade}").sample(sorted(population),
   count)) is the selection.

Exits 0 and prints "draw verified" when every step holds, 1 saying which step failed.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import random
import sys
from datetime import UTC, datetime

SEED_DOMAIN = b"chengnuo-sampling-v1\n"


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def verify_inclusion(*, index: int, tree_size: int, leaf: bytes, proof: list, root: bytes) -> bool:
    """RFC 9162 section 2.1.3.2."""
    if index >= tree_size:
        return False
    fn, sn, r = index, tree_size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def population_hash(inputs: dict) -> bytes:
    fixed = {key: inputs[key] for key in ("department", "matter", "ungraded", "grades")}
    text = json.dumps(fixed, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).digest()


def check_signature(checkpoint: dict, root_pem: bytes | None) -> str:
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec
    except ImportError:
        return "checkpoint signature not checked (install 'cryptography')"
    body = (
        f"{checkpoint['origin']}\n{checkpoint['tree_size']}\n"
        f"{base64.b64encode(bytes.fromhex(checkpoint['root_hash'])).decode()}\n"
        f"{datetime.fromisoformat(checkpoint['timestamp']).astimezone(UTC).isoformat()}\n"
    ).encode()
    certificate = x509.load_pem_x509_certificate(checkpoint["certificate"].encode())
    certificate.public_key().verify(
        base64.b64decode(checkpoint["signature"]), body, ec.ECDSA(hashes.SHA256())
    )
    if root_pem is None:
        return "checkpoint signature valid (certificate chain not checked: pass --root)"
    certificate.verify_directly_issued_by(x509.load_pem_x509_certificate(root_pem))
    return "checkpoint signature valid, certificate issued by the given root"


def verify(draw: dict, root_pem: bytes | None = None) -> list[str]:
    """Return what was checked; raise ValueError naming the first step that fails."""
    inputs, beacon = draw["inputs"], draw["inputs"]["beacon"]
    digest = population_hash(inputs)
    if digest.hex() != beacon["population_hash"]:
        raise ValueError("step 1: the population hash does not match the published inputs")
    leaf = hashlib.sha256(b"\x00" + digest).digest()
    checkpoint = beacon["checkpoint"]
    root = bytes.fromhex(checkpoint["root_hash"])
    if not verify_inclusion(
        index=int(beacon["leaf_index"]),
        tree_size=int(checkpoint["tree_size"]),
        leaf=leaf,
        proof=[bytes.fromhex(value) for value in beacon["inclusion_proof"]],
        root=root,
    ):
        raise ValueError("step 2: the population is not in the log under the checkpoint")
    notes = [check_signature(checkpoint, root_pem)]
    seed = hashlib.sha256(SEED_DOMAIN + root + digest + beacon["phrase"].encode()).hexdigest()
    if seed != draw["seed"]:
        raise ValueError("step 3: the seed is not the one the checkpoint gives")
    for grade, facts in inputs["grades"].items():
        expected = (
            sorted(
                random.Random(f"{seed}:{grade}").sample(sorted(facts["population"]), facts["count"])
            )
            if facts.get("policy")
            else []
        )
        if expected != sorted(draw["selected"].get(grade, [])):
            raise ValueError(f"step 4: grade {grade} selects {expected}, published otherwise")
    return [*notes, f"population {digest.hex()}", f"seed {seed}", "draw verified"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("draw", help="the published draw (JSON file, '-' for standard input)")
    parser.add_argument("--root", help="the platform root certificate (PEM)")
    args = parser.parse_args(argv)
    with open(args.draw, encoding="utf-8") if args.draw != "-" else sys.stdin as source:
        draw = json.load(source)
    root_pem = open(args.root, "rb").read() if args.root else None  # noqa: SIM115
    try:
        lines = verify(draw, root_pem)
    except (ValueError, KeyError, TypeError) as error:
        print(f"NOT verified: {error}")
        return 1
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
