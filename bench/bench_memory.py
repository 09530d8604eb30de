"""P7: a worker's memory after many signed commitments, against the same worker after 10.

Runs the full signing path (render, applicant B-T signature, platform seal B-LTA, store)
in one process, as a Celery prefork child would, and reads its resident set size (RSS)
after 10 commitments and after ``count`` (default 10,000). Target: growth <= 50 MiB.

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
from signing.pades import seal_pdf, sign_pdf  # noqa: E402
from signing.pdf import render_commitment_pdf  # noqa: E402
from signing.storage import FileSystemStorage, document_key  # noqa: E402


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def run(count: int = 10_000) -> dict:
    """Sign ``count`` commitments; return RSS after 10 and after ``count`` (MiB)."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as folder:
        storage = FileSystemStorage(root=Path(folder))
        baseline = None
        started = time.perf_counter()
        for number in range(1, count + 1):
            signed = sign_pdf(render_commitment_pdf(DOCUMENT), signer=SIGNER, reason="承诺")
            sealed = seal_pdf(signed.data, reference=DOCUMENT.reference, verify_url=VERIFY_URL)
            key = document_key(sha256=hashlib.sha256(sealed.data).hexdigest())
            storage.put(key, sealed.data)
            storage._path(key).unlink()  # keep the disk small; memory is what is measured
            if number == 10:
                gc.collect()
                baseline = _rss_mib()
        gc.collect()
        final = _rss_mib()
        seconds = time.perf_counter() - started
    return {
        "count": count,
        "rss_after_10_mib": baseline,
        "rss_after_count_mib": final,
        "growth_mib": final - (baseline or final),
        "seconds": seconds,
    }


def main() -> None:
    """Print the figures of ``run``."""
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    results = run(count)
    print(f"P7 worker memory over {results['count']:,} signed commitments")
    print(f"  RSS after 10                 {results['rss_after_10_mib']:.1f} MiB")
    print(
        f"  RSS after {results['count']:<6,}             {results['rss_after_count_mib']:.1f} MiB"
    )
    print(f"  growth                       {results['growth_mib']:.1f} MiB (target <= 50)")
    print(f"  time                         {results['seconds']:.0f} s")


if __name__ == "__main__":
    main()
