"""P6: the transparency log at 1,000,000 entries — inclusion proofs and appends.

Bulk-loads the leaves and their complete-subtree nodes with PostgreSQL ``COPY`` (hashes
computed in Python exactly as ``log_append`` would), then measures, on the loaded log:
an inclusion proof for random entries (target <= 5 ms), a consistency proof, single
appends (one transaction each, with a signed checkpoint like ``registry_event_append``),
and batched appends (target >= 1,000 entries/s).

The reference is the same measurement on a log of 1,000 entries, loaded and measured in the
same run; each figure is the median over rounds of the per-round median, with [min–max].
Proofs are timed with the in-process subtree cache warm (as a long-lived worker sees them)
and with it cleared before every proof (one query, nothing cached).

Run: ``DATABASE_URL=postgres://... python bench/bench_register.py [entries]``.
Uses (and empties) the signing log tables of the database it is pointed at.
"""

from __future__ import annotations

import datetime
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

from signing.register.merkle import leaf_hash, node_hash, node_key, verify_inclusion  # noqa: E402
from signing.register.models import LogHead  # noqa: E402
from signing.register.selectors import consistency_proof, inclusion_proof, root_hash  # noqa: E402
from signing.register.services import checkpoint_create, log_append  # noqa: E402
from signing.register.store import log_cache_clear, nodes_query  # noqa: E402


def _leaf(number: int) -> bytes:
    return leaf_hash(hashlib.sha256(number.to_bytes(8, "big")).digest())


def _leaf_times(entries: int) -> tuple[datetime.datetime, datetime.timedelta]:
    """The first leaf's time and the step between leaves: the log's entries spread evenly
    over the last LEAF_MONTHS months, in index order, as a log filled day by day would be."""
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    first = (now - datetime.timedelta(days=LEAF_MONTHS * 30.5)).replace(day=1)
    return first, (now - first) / max(entries, 1)


def bulk_load(entries: int) -> float:
    """Empty the log and load ``entries`` leaves and nodes with COPY; return seconds.

    The leaves are partitioned by month (ADR 0035) and looked up by index, so each lookup
    probes every month's index: they are spread over LEAF_MONTHS monthly partitions, made
    first, so the proofs pay for that as a log kept for years would."""
    from bench.fixtures import monthly_partitions

    started = time.perf_counter()
    first, step = _leaf_times(entries)
    with connection.cursor() as cursor:
        monthly_partitions(cursor.cursor, ["signing_logleaf"], first.date(), datetime.date.today())
        cursor.execute(
            "TRUNCATE signing_logleaf, signing_lognode, signing_loghead, signing_checkpoint,"
            " credit_opendataevent"  # the open data feed's events cite checkpoints
        )
        raw = cursor.cursor
        level_hashes: list[bytes] = []
        with raw.copy(
            "COPY signing_logleaf (index, leaf_hash, event_type, created) FROM STDIN"
        ) as copy:
            for number in range(entries):
                value = _leaf(number)
                level_hashes.append(value)
                copy.write_row((number, value, "signed", first + step * number))
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
        # As a long-lived table would be: frozen, hint bits set, statistics current, and the
        # load's WAL checkpointed, so the measurements do not pay for the load's aftermath.
        cursor.execute("VACUUM (FREEZE, ANALYZE) signing_logleaf")
        cursor.execute("VACUUM (FREEZE, ANALYZE) signing_lognode")
        cursor.execute("CHECKPOINT")
    LogHead.objects.update_or_create(pk=1, defaults={"size": entries})
    return time.perf_counter() - started


LEAF_MONTHS = 60


def _leaf_partitions() -> int:
    """The leaves' partitions: each is probed by a lookup by index (the months and default)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM pg_inherits WHERE inhparent = 'signing_logleaf'::regclass"
        )
        return cursor.fetchone()[0]


def _leaf_read_times(size: int, rng: random.Random, samples: int) -> list:
    """Time reading ``samples`` random leaves by index, one statement each (ms)."""
    times = []
    for _ in range(samples):
        index = rng.randrange(size)
        started = time.perf_counter()
        _size, _epoch, found = nodes_query([(0, index)], with_head=False)
        times.append((time.perf_counter() - started) * 1000)
        assert found[(0, index)] == _leaf(index)
    return times


def _spread(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def _proof_times(size: int, root: bytes, rng: random.Random, samples: int, *, cache: bool) -> list:
    """Time ``samples`` inclusion proofs of random entries (ms); each proof is verified."""
    times = []
    for _ in range(samples):
        index = rng.randrange(size)
        if not cache:
            log_cache_clear()
        started = time.perf_counter()
        proof = inclusion_proof(index=index, tree_size=size)
        times.append((time.perf_counter() - started) * 1000)
        assert verify_inclusion(
            index=index, tree_size=size, leaf=_leaf(index), proof=proof, root=root
        )
    return times


def measure(entries: int, *, rounds: int = 3, samples: int = 200) -> dict:
    """Load ``entries``, then ``rounds`` rounds of proofs and appends; medians per round."""
    log_cache_clear()
    load_seconds = bulk_load(entries)
    size = entries
    rng = random.Random(7)
    proof_cached, proof_uncached, proof_p95, consistency, single_rates, batch_rates = (
        [],
        [],
        [],
        [],
        [],
        [],
    )
    leaf_reads = []
    for _round in range(rounds):
        leaf_reads.append(statistics.median(_leaf_read_times(size, rng, samples)))
        root = root_hash(size)
        uncached = _proof_times(size, root, rng, samples // 2, cache=False)
        log_cache_clear()
        cached = _proof_times(size, root, rng, samples, cache=True)
        proof_uncached.append(statistics.median(uncached))
        proof_cached.append(statistics.median(cached))
        proof_p95.append(sorted(cached)[int(len(cached) * 0.95)])
        times = []
        for _ in range(50):
            first = rng.randrange(1, size)
            started = time.perf_counter()
            consistency_proof(first=first, second=size)
            times.append((time.perf_counter() - started) * 1000)
        consistency.append(statistics.median(times))
        single = 200
        started = time.perf_counter()
        for _ in range(single):
            with transaction.atomic():  # as registry_event_append: one commit per event
                appended = log_append([(_leaf(size), "signed")])
                checkpoint_create(tree_size=appended.tree_size, root=appended.root_hash)
            size += 1
        single_rates.append(single / (time.perf_counter() - started))
        batch, batches = 1000, 5
        started = time.perf_counter()
        for _ in range(batches):
            log_append([(_leaf(size + offset), "signed") for offset in range(batch)])
            size += batch
        batch_rates.append(batch * batches / (time.perf_counter() - started))
    assert LogHead.objects.get(pk=1).size == size
    return {
        "entries": entries,
        "rounds": rounds,
        "bulk_load_seconds": load_seconds,
        "leaf_partitions": _leaf_partitions(),
        "leaf_read_by_index_ms": _spread(leaf_reads),
        "inclusion_proof_ms": _spread(proof_cached),
        "inclusion_proof_p95_ms": _spread(proof_p95),
        "inclusion_proof_no_cache_ms": _spread(proof_uncached),
        "consistency_proof_ms": _spread(consistency),
        "append_single_with_checkpoint_per_second": _spread(single_rates),
        "append_batched_per_second": _spread(batch_rates),
    }


def run(entries: int = 1_000_000, reference: int = 1_000, rounds: int = 3) -> dict:
    """Measure the reference log (1,000 entries) and the large one in the same run."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    small = measure(reference, rounds=rounds)
    large = measure(entries, rounds=rounds)
    return {
        "reference": small,
        "large": large,
        "ratio_proof": large["inclusion_proof_ms"]["median"]
        / small["inclusion_proof_ms"]["median"],
        "ratio_append": large["append_batched_per_second"]["median"]
        / small["append_batched_per_second"]["median"],
    }


def _fmt(s: dict, fmt: str = "{:.2f}") -> str:
    return f"{fmt.format(s['median'])} [{fmt.format(s['min'])}–{fmt.format(s['max'])}]"


def main() -> None:
    """Print the figures of ``run``: median of the per-round medians [min–max]."""
    entries = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    results = run(entries)
    small, large = results["reference"], results["large"]
    print(
        f"P6 transparency log, {large['entries']:,} entries vs the reference of "
        f"{small['entries']:,}; {large['rounds']} rounds, median of round medians [min–max]"
    )
    rows = [
        ("bulk load (COPY), s", "bulk_load_seconds", None),
        ("leaf read by index, ms", "leaf_read_by_index_ms", "{:.2f}"),
        ("inclusion proof, ms (target <= 5)", "inclusion_proof_ms", "{:.2f}"),
        ("inclusion proof p95, ms", "inclusion_proof_p95_ms", "{:.2f}"),
        ("inclusion proof, cache cleared, ms", "inclusion_proof_no_cache_ms", "{:.2f}"),
        ("consistency proof, ms", "consistency_proof_ms", "{:.2f}"),
        (
            "append + checkpoint, 1 per txn, /s",
            "append_single_with_checkpoint_per_second",
            "{:.0f}",
        ),
        ("append, batches of 1,000, /s (>= 1,000)", "append_batched_per_second", "{:.0f}"),
    ]
    print(f"  leaves spread over {large['leaf_partitions']} partitions probed by index")
    print(f"  {'':42} {'reference':>24} {'large':>24}")
    for label, key, fmt in rows:
        if fmt is None:
            print(f"  {label:42} {small[key]:>24.1f} {large[key]:>24.1f}")
        else:
            print(f"  {label:42} {_fmt(small[key], fmt):>24} {_fmt(large[key], fmt):>24}")
    print(
        f"  ratio large/reference: proof {results['ratio_proof']:.2f}×, "
        f"batched append {results['ratio_append']:.2f}×"
    )


if __name__ == "__main__":
    main()
