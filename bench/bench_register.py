"""P6: the transparency log at 1,000,000 entries — inclusion proofs and appends.

Bulk-loads the leaves and their complete-subtree nodes with PostgreSQL ``COPY`` (hashes
computed in Python exactly as ``log_append`` would), then measures, on the loaded log:
an inclusion proof for random entries (target <= 5 ms), a consistency proof, single
appends (one transaction each, with a signed checkpoint like ``registry_event_append``),
and batched appends (target >= 1,000 entries/s).

Run: ``DATABASE_URL=postgres://... python bench/bench_register.py [entries]``.
Uses (and empties) the signing log tables of the database it is pointed at.
"""

from __future__ import annotations

import hashlib
import os
import random
import statistics
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
django.setup()

from django.db import connection, transaction  # noqa: E402

from signing.models import LogHead  # noqa: E402
from signing.transparency import (  # noqa: E402
    checkpoint_create,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    log_append,
    node_hash,
    node_key,
    root_hash,
    verify_inclusion,
)


def _leaf(number: int) -> bytes:
    return leaf_hash(hashlib.sha256(number.to_bytes(8, "big")).digest())


def bulk_load(entries: int) -> float:
    """Empty the log and load ``entries`` leaves and nodes with COPY; return seconds."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE signing_logleaf, signing_lognode, signing_loghead, signing_checkpoint"
        )
        raw = cursor.cursor
        level_hashes: list[bytes] = []
        with raw.copy(
            "COPY signing_logleaf (index, leaf_hash, event_type, created) FROM STDIN"
        ) as copy:
            for number in range(entries):
                value = _leaf(number)
                level_hashes.append(value)
                copy.write_row((number, value, "signed", "2025-01-01T00:00:00Z"))
        with raw.copy("COPY signing_lognode (key, level, index, hash) FROM STDIN") as copy:
            level = 0
            while len(level_hashes) > 1:
                parents = [
                    node_hash(level_hashes[i], level_hashes[i + 1])
                    for i in range(0, len(level_hashes) - 1, 2)
                ]
                level += 1
                for index, value in enumerate(parents):
                    copy.write_row((node_key(level, index), level, index, value))
                level_hashes = parents
        cursor.execute("ANALYZE signing_logleaf")
        cursor.execute("ANALYZE signing_lognode")
    LogHead.objects.update_or_create(pk=1, defaults={"size": entries})
    return time.perf_counter() - started


def run(entries: int = 1_000_000, samples: int = 200) -> dict:
    """Load, then measure proofs and appends; return the figures (milliseconds, per second)."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    load_seconds = bulk_load(entries)
    size = entries
    root = root_hash(size)
    rng = random.Random(7)
    proof_ms = []
    for _ in range(samples):
        index = rng.randrange(size)
        started = time.perf_counter()
        proof = inclusion_proof(index=index, tree_size=size)
        proof_ms.append((time.perf_counter() - started) * 1000)
        assert verify_inclusion(
            index=index, tree_size=size, leaf=_leaf(index), proof=proof, root=root
        )
    consistency_ms = []
    for _ in range(50):
        first = rng.randrange(1, size)
        started = time.perf_counter()
        consistency_proof(first=first, second=size)
        consistency_ms.append((time.perf_counter() - started) * 1000)
    single = 300
    started = time.perf_counter()
    for number in range(single):
        with transaction.atomic():  # as registry_event_append: one commit per event
            appended = log_append([(_leaf(entries + number), "signed")])
            checkpoint_create(tree_size=appended.tree_size, root=appended.root_hash)
    single_rate = single / (time.perf_counter() - started)
    batch, batches = 1000, 10
    started = time.perf_counter()
    for round_number in range(batches):
        base = entries + single + round_number * batch
        log_append([(_leaf(base + offset), "signed") for offset in range(batch)])
    batch_rate = batch * batches / (time.perf_counter() - started)
    final = entries + single + batch * batches
    assert root_hash(final) is not None
    return {
        "entries": entries,
        "bulk_load_seconds": load_seconds,
        "inclusion_proof_ms": {
            "median": statistics.median(proof_ms),
            "p95": sorted(proof_ms)[int(len(proof_ms) * 0.95)],
            "max": max(proof_ms),
        },
        "consistency_proof_ms": {"median": statistics.median(consistency_ms)},
        "append_single_with_checkpoint_per_second": single_rate,
        "append_batched_per_second": batch_rate,
    }


def main() -> None:
    """Print the figures of ``run``."""
    entries = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    results = run(entries)
    print(f"P6 transparency log at {results['entries']:,} entries")
    print(f"  bulk load (COPY)                       {results['bulk_load_seconds']:.1f} s")
    proof = results["inclusion_proof_ms"]
    print(
        f"  inclusion proof                        median {proof['median']:.2f} ms"
        f"  p95 {proof['p95']:.2f}  max {proof['max']:.2f} (target <= 5 ms)"
    )
    print(
        "  consistency proof                      median "
        f"{results['consistency_proof_ms']['median']:.2f} ms"
    )
    print(
        "  append, one per transaction + checkpoint "
        f"{results['append_single_with_checkpoint_per_second']:.0f} entries/s"
    )
    print(
        f"  append, batches of 1,000               {results['append_batched_per_second']:.0f}"
        " entries/s (target >= 1,000)"
    )


if __name__ == "__main__":
    main()
