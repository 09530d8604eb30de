"""P3–P6 on the province loaded by ``bench/province.py generate`` (see that module).

Each benchmark reuses the measurement code of its own script (bench_queue, bench_sweep,
bench_check, bench_register) on the loaded rows instead of loading its own; the figures go
to bench/results/province-<scale>-<time>.json and are printed with each script's table.
"""

from __future__ import annotations

import datetime
import json
import os
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REFERENCE_TASKS = 1_000
DUE = 1_000


def _scale() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM commitments_commitment WHERE reference LIKE 'PV%%'")
        return cursor.fetchone()[0]


# P3 ------------------------------------------------------------------------------------------


def p3(world, *, rounds: int) -> dict:
    """The queue page of the big department against a department of 1,000 open tasks, in
    the same database, interleaved round by round (bench_queue's B rows)."""
    from bench import bench_queue
    from commitments.lifecycle.models import Commitment
    from directory.models import Subject
    from workflows.verification.models import VerificationTaskIndex

    template = world.templates["inform_commit"]
    queue_world = {
        "city": world.region,
        "matter": template.matter,
        "measured": world.measured,
        "reference": world.reference,
        "reference_viewer": world.reference_viewer,
        "template": template,
        "regulators": world.regulators,
        "applicant": world.applicant,
        "subjects": list(Subject.objects.order_by("pk")[:200]),
        "loaded": Commitment.objects.filter(reference__startswith="BQ").count(),
    }
    have = VerificationTaskIndex.objects.filter(department=world.reference).count()
    if have < REFERENCE_TASKS:
        bench_queue.load_open_tasks(
            queue_world,
            REFERENCE_TASKS - have,
            department=world.reference,
            label="reference department",
        )
        bench_queue._vacuum()
    large = VerificationTaskIndex.objects.filter(department=world.measured).count()
    filters = {"grade": "D", "due": "week", "q": "餐饮"}
    pages = bench_queue.measure_pages(
        [
            bench_queue._Page(
                queue_world, viewer=world.reference_viewer, department=world.reference
            ),
            bench_queue._Page(queue_world),
            bench_queue._Page(
                queue_world,
                viewer=world.reference_viewer,
                department=world.reference,
                params=filters,
            ),
            bench_queue._Page(queue_world, params=filters),
            bench_queue._Page(
                queue_world, params={"after": bench_queue._deep_cursor(queue_world, large // 2)}
            ),
        ],
        rounds=rounds,
        requests=20,
    )
    reference, page, reference_filtered, filtered, deep = pages
    return {
        "open_tasks_measured": large,
        "open_tasks_reference": REFERENCE_TASKS,
        "open_tasks_all": VerificationTaskIndex.objects.count(),
        "page_reference": reference,
        "page_large": page,
        "filtered_reference": reference_filtered,
        "filtered_large": filtered,
        "deep_page_large": deep,
        "ratio": page["median_ms"] / reference["median_ms"],
        "filtered_ratio": filtered["median_ms"] / reference_filtered["median_ms"],
        "is_query_count_equal": reference["queries"] == page["queries"],
        "target_ratio": 1.5,
        "target_median_ms": 100.0,
    }


# P4 ------------------------------------------------------------------------------------------


def p4(*, rounds: int) -> dict:
    """The deadline sweep with 1,000 ladder steps due among all those stored (the same
    1,000 each round; restored afterwards so the database can be measured again)."""
    from bench.bench_sweep import _reset
    from commitments.obligations.models import WarningSchedule
    from commitments.obligations.services.sweep import obligation_warnings_sweep

    chosen = list(
        WarningSchedule.objects.filter(
            status="pending",
            step__relative="at",
            obligation__commitment__reference__startswith="PV",
        )
        .order_by("pk")
        .values_list("pk", "due_at")[:DUE]
    )
    due_ids = [pk for pk, _due in chosen]
    assert len(due_ids) == DUE, len(due_ids)
    try:
        _reset(due_ids)
        obligation_warnings_sweep()  # warm-up, not timed
        timings, warned = [], []
        for _round in range(rounds):
            _reset(due_ids)
            started = time.perf_counter()
            result = obligation_warnings_sweep()
            timings.append(time.perf_counter() - started)
            warned.append(result.warned)
    finally:
        from notifications.models import OutboxMessage

        OutboxMessage.objects.all().delete()
        for pk, due in chosen:
            WarningSchedule.objects.filter(pk=pk).update(
                status="pending", processed_at=None, outcome="", due_at=due
            )
    return {
        "stored_commitments": _scale(),
        "stored_ladder_rows": WarningSchedule.objects.count(),
        "pending_ladder_rows": WarningSchedule.objects.filter(status="pending").count(),
        "due": DUE,
        "warned": warned[-1],
        "median_s": statistics.median(timings),
        "min_s": min(timings),
        "max_s": max(timings),
        "items_per_s": DUE / statistics.median(timings),
    }


# P5 ------------------------------------------------------------------------------------------


def p5(*, rounds: int) -> dict:
    """bench_check's HTTP run (gunicorn, 2 workers; the trivial view as reference) on the
    province's subjects: half the checked codes clean, half with a breach on record."""
    from bench import bench_check
    from bench.province import subject_row

    scale = _scale()
    clean, record = [], []
    for j in range(1000):  # spread over the whole table; every 20th subject has a record
        k = (j * scale // 1000) | 1
        kind, code, _name = subject_row(k)
        if kind == "company" and k % 20:
            clean.append(code)
        record.append(subject_row(20 * (j * (scale // 20) // 1000))[1])
    data = {
        "subjects": scale,
        "with_record": (scale + 19) // 20,
        "clean_codes": clean,
        "record_codes": sorted(set(record)),
    }
    return bench_check.run(rounds=rounds, data=data)


# P6 ------------------------------------------------------------------------------------------


def p6(*, rounds: int) -> dict:
    """bench_register at as many log entries as the province has commitments."""
    from bench import bench_register

    return bench_register.run(entries=_scale(), rounds=rounds)


# Running -------------------------------------------------------------------------------------


def measure_all(*, only: list[str], rounds: int) -> int:
    from bench.province import World, _disk, counts

    world = World()
    result: dict = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "scale": _scale(),
        "counts": counts(),
        **_disk(),
        "load_average_before": os.getloadavg(),
    }
    print(json.dumps({k: result[k] for k in ("scale", "counts", "database_gib")}, indent=2))
    if "p3" in only:
        print("\nP3 queue page …", flush=True)
        result["p3"] = p3(world, rounds=rounds)
        _print("P3", result["p3"])
    if "p4" in only:
        print("\nP4 deadline sweep …", flush=True)
        result["p4"] = p4(rounds=rounds)
        _print("P4", result["p4"])
    if "p5" in only:
        print("\nP5 check every case over HTTP …", flush=True)
        from bench import bench_check

        result["p5"] = p5(rounds=rounds)
        bench_check.print_table(result["p5"])
    if "p6" in only:
        print("\nP6 transparency log …", flush=True)
        result["p6"] = p6(rounds=rounds)
        _print("P6", result["p6"])
    result["load_average_after"] = os.getloadavg()
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"province-{result['scale']}-{datetime.datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(result, indent=2, default=str, ensure_ascii=False))
    print(f"\nResults: {path.relative_to(ROOT)}")
    return 0


def _print(title: str, value: dict, indent: str = "   ") -> None:
    if title:
        print(title)
    for key, item in value.items():
        if isinstance(item, dict):
            print(f"{indent}{key}:")
            _print("", item, indent + "   ")
        elif isinstance(item, float):
            print(f"{indent}{key}: {item:.3f}")
        else:
            print(f"{indent}{key}: {item}")


# Comparing two runs --------------------------------------------------------------------------

FIGURES = (
    ("P3 queue page, median ms", ("p3", "page_large", "median_ms")),
    ("P3 filtered page, median ms", ("p3", "filtered_large", "median_ms")),
    ("P3 deep keyset page, median ms", ("p3", "deep_page_large", "median_ms")),
    ("P3 reference dept. (1,000), median ms", ("p3", "page_reference", "median_ms")),
    ("P4 sweep of 1,000 due, s", ("p4", "median_s")),
    ("P5 check, requests/s", ("p5", "check", "rps", "median")),
    ("P5 trivial view, requests/s", ("p5", "ping", "rps", "median")),
    ("P5 check p99, ms", ("p5", "check", "p99_ms", "median")),
    ("P6 inclusion proof, ms", ("p6", "large", "inclusion_proof_ms", "median")),
    ("P6 batched append, /s", ("p6", "large", "append_batched_per_second", "median")),
)


def _dig(value, path):
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def compare_print(small: Path, large: Path) -> None:
    a, b = json.loads(small.read_text()), json.loads(large.read_text())
    print(f"{'figure':<42}{a['scale']:>14,}{b['scale']:>14,}{'ratio':>9}")
    for label, path in FIGURES:
        x, y = _dig(a, path), _dig(b, path)
        if x is None or y is None:
            continue
        print(f"{label:<42}{x:>14.2f}{y:>14.2f}{y / x:>9.2f}")
