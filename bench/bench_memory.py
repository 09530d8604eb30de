"""P7: a worker's memory after many signed commitments, against the same worker after 10.

Runs the full signing path (render, applicant B-T signature, platform seal B-LTA, store)
in one process, as a Celery prefork child would, and reads its resident set size (RSS)
after 10 commitments and after ``count`` (default 10,000; any count above 10), with samples
in between. Target: growth <= 50 MiB from the 10th to the 10,000th.

Run: ``DATABASE_URL=postgres://... python bench/bench_memory.py [count]``.
"""

from __future__ import annotations

import gc
import hashlib
import os
import sys
import tempfile
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
django.setup()

from bench.bench_signing import DOCUMENT, SIGNER, VERIFY_URL  # noqa: E402
from signing.pades.seal import seal_pdf  # noqa: E402
from signing.pades.sign import sign_pdf  # noqa: E402
from signing.render.commitment import render_commitment_pdf  # noqa: E402
from signing.storage import FileSystemStorage, document_key  # noqa: E402

BASELINE_AT = 10  # the reference: the same worker after 10 commitments


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def run(count: int = 10_000, *, samples: int = 10) -> dict:
    """Sign ``count`` commitments; return RSS after the 10th and the ``count``-th (MiB).

    Also samples RSS at ``samples`` evenly spaced points in between, so a leak shows as a
    slope rather than a single difference.
    """
    from django.core.management import call_command

    if count <= BASELINE_AT:
        raise ValueError(f"count must exceed {BASELINE_AT} (the reference point)")
    call_command("migrate", verbosity=0)
    step = max(1, (count - BASELINE_AT) // samples)
    sample_points = set(range(BASELINE_AT + step, count + 1, step)) | {count}
    trace: list[tuple[int, float]] = []
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as folder:
        storage = FileSystemStorage(root=Path(folder))
        baseline = 0.0
        started = time.perf_counter()
        for number in range(1, count + 1):
            signed = sign_pdf(render_commitment_pdf(DOCUMENT), signer=SIGNER, reason="承诺")
            sealed = seal_pdf(signed.data, reference=DOCUMENT.reference, verify_url=VERIFY_URL)
            key = document_key(sha256=hashlib.sha256(sealed.data).hexdigest())
            storage.put(key, sealed.data)
            storage._path(key).unlink()  # keep the disk small; memory is what is measured
            if number == BASELINE_AT:
                gc.collect()
                baseline = _rss_mib()
                trace.append((number, baseline))
            elif number in sample_points:
                gc.collect()
                trace.append((number, _rss_mib()))
                print(f"  {number:>6,} commitments: RSS {trace[-1][1]:.1f} MiB", flush=True)
        final = trace[-1][1]
        seconds = time.perf_counter() - started
    growth = final - baseline
    return {
        "count": count,
        "rss_after_10_mib": baseline,
        "rss_after_count_mib": final,
        "growth_mib": growth,
        "growth_kib_per_commitment": growth * 1024 / (count - BASELINE_AT),
        "target_growth_mib": 50,
        "trace": trace,
        "seconds": seconds,
    }


def main() -> None:
    """Print the figures of ``run``."""
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    print(f"P7 worker memory: signing {count:,} commitments in one process", flush=True)
    results = run(count)
    print(f"P7 worker memory over {results['count']:,} signed commitments")
    rows = [
        (f"RSS after {BASELINE_AT} (reference)", f"{results['rss_after_10_mib']:.1f} MiB"),
        (f"RSS after {results['count']:,}", f"{results['rss_after_count_mib']:.1f} MiB"),
        (
            f"growth {BASELINE_AT}th -> {results['count']:,}th",
            f"{results['growth_mib']:.1f} MiB ({results['growth_kib_per_commitment']:.2f} KiB"
            " per commitment; target <= 50 MiB over 10,000)",
        ),
    ]
    for label, value in rows:
        print(f"  {label:30} {value}")
    print(f"  {'time':30} {results['seconds']:.0f} s")


if __name__ == "__main__":
    main()
