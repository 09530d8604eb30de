"""P11 — special credit report: list the record, render, seal (B-LTA) and store, end to end.

Two subjects of one representative: one with a single breach (the reference) and one with 500
breaches in the span. Each round issues ``count`` reports of each through
``credit.reports.services.report_request`` (the service the page and the API call: the record
read, the PDF, the platform seal with its two timestamps, the stored file, the report row and
its check-log line), alternating the subjects so machine noise hits both alike. Prints the
median cost per report of each, reports/s of one process, and the ratio 500 : 1; and the
same from this process's CPU time (``time.process_time``), which a loaded machine's waiting
for a core does not inflate. Then
``--processes`` processes (default 2, one per core) issue ``count`` one-record reports each
at once: the reports/s of the whole machine.

Target (shared/performance.md): ≥ 20 reports/s on both cores; cost ratio ≤ 3.

    python bench/bench_reports.py [--count 10] [--rounds 3] [--processes 2]

Uses BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/chengnuo_bench), migrated.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGET_RPS = 20.0
TARGET_RATIO = 3.0
MANY = 500


def _world():
    """A representative of two subjects: one with 1 breach, one with ``MANY``."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from credit.record.models.breaches import Breach
    from credit.record.models.rules import BreachCategory, RuleSet
    from credit.record.rules import add_months
    from directory.models import Subject
    from directory.representation.models import Representation

    user, _created = get_user_model().objects.get_or_create(username="bench-reporter")
    category = BreachCategory.objects.order_by("pk").first()
    rule_set = RuleSet.objects.filter(effective_from__lte=timezone.localdate()).latest(
        "effective_from"
    )
    today = timezone.localdate()
    subjects = {}
    for count, code in ((1, "91440300BENCH00001"), (MANY, "91440300BENCH00500")):
        subject, created = Subject.objects.get_or_create(
            code=code, defaults={"kind": Subject.Kind.COMPANY, "name": f"基准测试公司{count}"}
        )
        subjects[count] = subject
        if not created:
            continue
        Representation.objects.create(
            subject=subject,
            user=user,
            role=Representation.Role.LEGAL_REPRESENTATIVE,
            status=Representation.Status.PROVEN,
            method=Representation.Method.LETTER,
            reviewed_at=timezone.now(),
        )
        rows = []
        for index in range(count):
            day = today - timedelta(days=1 + index * 3)
            rows.append(
                Breach(
                    subject=subject,
                    category=category,
                    legal_basis=category.legal_basis,
                    severity="general",
                    rule_set=rule_set,
                    record_date=day,
                    is_publishable=True,
                    publicity_starts=day,
                    publicity_min_until=add_months(day, 3),
                    publicity_max_until=add_months(day, 12),
                    reason=f"未按承诺期限履行义务（第{index + 1}项）",
                    recorded_by=user,
                    status=Breach.Status.REPAIRED if index % 5 == 0 else Breach.Status.RECORDED,
                )
            )
        Breach.objects.bulk_create(rows, batch_size=500)
    return user, subjects


def run(*, count: int = 10, rounds: int = 3) -> dict:
    from django.utils import timezone

    from credit.reports.services import report_request

    user, subjects = _world()
    today = timezone.localdate()
    span_from = date(today.year - 5, today.month, min(today.day, 28))
    report_request(  # warm the CA, fonts and connections
        user=user, subject_code=subjects[1].code, span_from=span_from, span_until=today
    )
    costs: dict[int, list[float]] = {1: [], MANY: []}
    cpu: dict[int, list[float]] = {1: [], MANY: []}
    entries = {}
    for _round in range(rounds):
        for _index in range(count):
            for size, subject in subjects.items():
                started, cpu_started = time.perf_counter(), time.process_time()
                report = report_request(
                    user=user, subject_code=subject.code, span_from=span_from, span_until=today
                )
                costs[size].append(time.perf_counter() - started)
                cpu[size].append(time.process_time() - cpu_started)
                entries[size] = report.entry_count
    one, many = statistics.median(costs[1]), statistics.median(costs[MANY])
    return {
        "rounds": rounds,
        "count": count,
        "entries": entries,
        "ms_1": one * 1000,
        "ms_many": many * 1000,
        "spread_1": (min(costs[1]) * 1000, max(costs[1]) * 1000),
        "spread_many": (min(costs[MANY]) * 1000, max(costs[MANY]) * 1000),
        "rps_1": 1 / one,
        "rps_many": 1 / many,
        "ratio": many / one,
        "cpu_ms_1": statistics.median(cpu[1]) * 1000,
        "cpu_ms_many": statistics.median(cpu[MANY]) * 1000,
        "cpu_ratio": statistics.median(cpu[MANY]) / statistics.median(cpu[1]),
    }


def _issue_many(user_pk: int, code: str, span_from, span_until, count: int, pipe) -> None:
    """One of the parallel processes: ``count`` reports, then its elapsed seconds."""
    from django.contrib.auth import get_user_model

    from credit.reports.services import report_request

    user = get_user_model().objects.get(pk=user_pk)
    report_request(user=user, subject_code=code, span_from=span_from, span_until=span_until)
    pipe.send("ready")
    pipe.recv()  # start together
    started = time.perf_counter()
    for _index in range(count):
        report_request(user=user, subject_code=code, span_from=span_from, span_until=span_until)
    pipe.send(time.perf_counter() - started)


def run_parallel(*, processes: int, count: int) -> dict:
    """``processes`` processes issuing ``count`` one-record reports each, at the same time."""
    import multiprocessing

    from django.db import connections
    from django.utils import timezone

    user, subjects = _world()
    today = timezone.localdate()
    span_from = date(today.year - 5, today.month, min(today.day, 28))
    connections.close_all()  # each process opens its own
    context = multiprocessing.get_context("fork")
    pipes, children = [], []
    for _index in range(processes):
        parent, child = context.Pipe()
        process = context.Process(
            target=_issue_many, args=(user.pk, subjects[1].code, span_from, today, count, child)
        )
        process.start()
        pipes.append(parent)
        children.append(process)
    for pipe in pipes:
        pipe.recv()
    started = time.perf_counter()
    for pipe in pipes:
        pipe.send("go")
    elapsed = [pipe.recv() for pipe in pipes]
    wall = time.perf_counter() - started
    for process in children:
        process.join()
    return {
        "processes": processes,
        "reports": processes * count,
        "wall_s": wall,
        "rps": processes * count / wall,
        "slowest_s": max(elapsed),
    }


def print_table(result: dict) -> None:
    print(f"P11 special credit report ({result['rounds']} rounds x {result['count']} each)")
    for size, key in ((1, "1"), (MANY, "many")):
        low, high = result[f"spread_{key}"]
        print(
            f"  subject with {size:>3} record(s) ({result['entries'][size]} entries listed): "
            f"median {result[f'ms_{key}']:.0f} ms (min {low:.0f}, max {high:.0f}) — "
            f"{result[f'rps_{key}']:.1f} reports/s in one process"
        )
    print(
        f"  cost ratio {MANY} : 1 = {result['ratio']:.2f} (target ≤ {TARGET_RATIO}); "
        f"target ≥ {TARGET_RPS} reports/s on both cores"
    )
    print(
        f"  CPU of this process per report (PostgreSQL's not counted), medians: "
        f"{result['cpu_ms_1']:.0f} ms and {result['cpu_ms_many']:.0f} ms, "
        f"ratio {result['cpu_ratio']:.2f} (steadier than the wall clock on a loaded machine)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=10, help="reports per subject per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--processes", type=int, default=2, help="0: no parallel run")
    args = parser.parse_args()

    from bench.run import _ensure_database, _environment

    url = _environment()
    _ensure_database(url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("signing_init", verbosity=0)
    print_table(run(count=args.count, rounds=args.rounds))
    if args.processes:
        parallel = run_parallel(processes=args.processes, count=args.count * args.rounds)
        print(
            f"  {parallel['processes']} processes at once: {parallel['reports']} one-record "
            f"reports in {parallel['wall_s']:.1f} s = {parallel['rps']:.1f} reports/s "
            f"(target ≥ {TARGET_RPS})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
