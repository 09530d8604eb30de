"""P10: an association's bulk issue of self-discipline pledges from one CSV file.

Issues the pledge to 10,000 members from one file and, as the reference in the same run, to
100 members from another, through the same code a worker runs (``bulk_issue_upload``, then
``bulk_issue_process`` in chunks, each chunk committed with its resume point) on PostgreSQL.
Prints rows per second for both, the cost ratio per row, and the process's resident memory
(RSS) at the start and the end of the large file, with samples in between (a leak shows as a
slope). Targets (``performance.md``): >= 200 rows/s, ratio per row <= 1.2, growth <= 50 MiB.

The members are loaded with ``bulk_create`` (not replayed through the application); the CSV
is written in GB18030, the encoding a Chinese spreadsheet saves, so decoding is measured too.

``--worker`` sends each file to a real Celery worker (``celery -A config worker --pool solo``,
started by the benchmark on a queue of its own) instead of calling the service in this process,
and samples *that* process's RSS from ``/proc`` while it works: the figure for a province-size
file, ``bench_bulk_issue.py 100000 --rounds 1 --worker``. Every figure also gives the CPU
seconds the processing process used per 1,000 rows (load on a shared machine stretches the
wall clock, much less the CPU time).

Run: ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/chengnuo_bench_bulk \
python bench/bench_bulk_issue.py [rows] [--rounds N] [--worker]``.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("CHENGNUO_TEST_QUEUE", "bench-bulk-issue")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from commitments.associations.models import (  # noqa: E402
    Association,
    AssociationMembership,
    AssociationOfficer,
)
from commitments.associations.services.issue import (  # noqa: E402
    bulk_issue_process,
    bulk_issue_upload,
)
from commitments.catalogue.models import CommitmentTemplate  # noqa: E402
from directory.identifiers import USCC_ALPHABET, uscc_check_character  # noqa: E402
from directory.models import Competence, Department, Matter, Region, Subject  # noqa: E402

REFERENCE_ROWS = 100


def _rss_mib(pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def _cpu_seconds(pid: int | str = "self") -> float:
    """User + system CPU seconds of a process so far (``/proc/<pid>/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Worker:
    """A real Celery worker (solo pool: the process that runs the task is the one measured)
    on a queue of its own, with this process's settings and database."""

    def __init__(self) -> None:
        self.queue = f"bench-bulk-{uuid.uuid4().hex[:10]}"
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo"]
            + ["-Q", self.queue, "-l", "WARNING", "--without-gossip", "--without-mingle"]
            + ["--without-heartbeat"],
            cwd=Path(__file__).resolve().parent.parent,
            env={**os.environ, "CHENGNUO_TEST_QUEUE": self.queue},
        )
        from config import celery_app

        deadline = time.monotonic() + 300
        while not celery_app.control.ping(destination=[f"celery@{os.uname().nodename}"]):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the worker did not start")
        time.sleep(1)  # settle: imports done, memory as it will be before the first task

    def run(self, bulk_id: int, rows: int, sample) -> None:
        from commitments.associations.models import BulkIssue
        from commitments.associations.tasks import bulk_issue_process_task

        bulk_issue_process_task.apply_async(kwargs={"bulk_issue_id": bulk_id}, queue=self.queue)
        progress = BulkIssue.objects.filter(pk=bulk_id)
        while (state := progress.values_list("status", "rows_done").get())[0] != "done":
            if state[0] == "failed" or self.process.poll() is not None:
                raise RuntimeError(f"the worker stopped: {state}")
            sample(state[1])
            time.sleep(0.5)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)


def _code(number: int) -> str:
    digits = []
    for _position in range(9):
        number, rest = divmod(number, len(USCC_ALPHABET))
        digits.append(USCC_ALPHABET[rest])
    body = "91440300" + "".join(reversed(digits))
    return body + uscc_check_character(body)


def _city():
    region, _created = Region.objects.get_or_create(code="440300", defaults={"name": "深圳市"})
    matter, _created = Matter.objects.get_or_create(
        code="bench-catering", defaults={"name": "餐饮行业自律", "legal_basis": "协会章程"}
    )
    department, _created = Department.objects.get_or_create(
        code="bench-amr", defaults={"name": "市场监督管理局", "region": region}
    )
    Competence.objects.get_or_create(
        matter=matter, region=region, defaults={"department": department}
    )
    template, _created = CommitmentTemplate.objects.get_or_create(
        code="bench-self-discipline",
        version=1,
        defaults={
            "kind": CommitmentTemplate.Kind.SELF_DISCIPLINE,
            "matter": matter,
            "title": "餐饮行业自律承诺书",
            "notice_legal_basis": "协会章程",
            "notice_conditions": "诚信经营",
            "notice_waived_proof": "不适用",
            "notice_liability": "通报",
            "notice_verification": "随时核查",
            "notice_publicity": "公示一年",
            "commitment_text": "本单位自愿遵守行业自律公约。",
            "verification_method": "publicity",
            "verification_window": 20,
            "fields": [],
        },
    )
    if template.status == CommitmentTemplate.Status.DRAFT:
        template.activate()
        template.save()
    return region, template


def _association(name: str, rows: int, region, offset: int):
    """An association with ``rows`` members (bulk loaded) and its officer."""
    officer, _created = get_user_model().objects.get_or_create(username=f"bench-{name}")
    association = Association.objects.create(
        code=f"bench-{name}-{offset}", name=name, uscc=_code(offset), region=region
    )
    AssociationOfficer.objects.create(user=officer, association=association)
    subjects = Subject.objects.bulk_create(
        Subject(
            kind="company", code=_code(offset + n + 1), name=f"会员公司{offset + n}", region=region
        )
        for n in range(rows)
    )
    AssociationMembership.objects.bulk_create(
        AssociationMembership(association=association, subject=s, joined_on="2026-01-01")
        for s in subjects
    )
    return association, officer, subjects


def _file(subjects, folder: Path) -> Path:
    path = folder / f"members-{len(subjects)}.csv"
    with path.open("w", encoding="gb18030", newline="") as output:
        output.write("统一社会信用代码,名称,联系人,联系电话\r\n")
        for subject in subjects:
            output.write(f"{subject.code},{subject.name},王经理,13800000000\r\n")
    return path


def _issue(
    rows: int, *, region, template, offset: int, folder: Path, worker: Worker | None = None
) -> dict:
    association, officer, subjects = _association("协会", rows, region, offset)
    path = _file(subjects, folder)
    del subjects
    pid = worker.process.pid if worker else "self"
    gc.collect()
    rss_start, cpu_start = _rss_mib(pid), _cpu_seconds(pid)
    trace = [(0, rss_start)]
    step = max(1, rows // 10)

    def sample(done: int) -> None:
        if done - trace[-1][0] >= step or done == rows:
            if worker is None:
                gc.collect()
            trace.append((done, _rss_mib(pid)))

    started = time.perf_counter()
    with path.open("rb") as data:
        bulk = bulk_issue_upload(
            by=officer,
            association=association,
            template=template,
            upload=SimpleUploadedFile(path.name, data.read()),
            original_name=path.name,
        )
    if worker is None:
        bulk = bulk_issue_process(bulk_issue_id=bulk.pk, after_chunk=sample)
    else:
        worker.run(bulk.pk, rows, sample)
        bulk.refresh_from_db()
    seconds = time.perf_counter() - started
    cpu = _cpu_seconds(pid) - cpu_start
    if worker is None:
        gc.collect()
    rss_end = _rss_mib(pid)
    trace.append((rows, rss_end))
    assert (bulk.status, bulk.issued_count) == ("done", rows), (bulk.status, bulk.issued_count)
    return {
        "rows": rows,
        "seconds": seconds,
        "rows_per_s": rows / seconds,
        "cpu_s_per_1000_rows": 1000 * cpu / rows,
        "rss_start_mib": rss_start,
        "rss_end_mib": rss_end,
        "trace": trace,
    }


def run(rows: int = 10_000, rounds: int = 3, *, worker: bool = False) -> dict:
    call_command("migrate", verbosity=0)
    region, template = _city()
    large, small = [], []
    offset = 10_000_000 + Subject.objects.count() * 3  # fresh codes on a reused database
    running = Worker() if worker else None
    try:
        with tempfile.TemporaryDirectory(prefix="bench-bulk-") as folder:
            for number in range(rounds):
                common = {"region": region, "template": template, "folder": Path(folder)}
                small.append(_issue(REFERENCE_ROWS, offset=offset, worker=running, **common))
                offset += REFERENCE_ROWS + 10
                large.append(_issue(rows, offset=offset, worker=running, **common))
                offset += rows + 10
                print(
                    f"  round {number + 1}: {rows:,} rows {large[-1]['rows_per_s']:.0f} rows/s "
                    f"({large[-1]['seconds']:.1f} s, CPU "
                    f"{large[-1]['cpu_s_per_1000_rows']:.2f} s per 1,000 rows), "
                    f"{REFERENCE_ROWS} rows {small[-1]['rows_per_s']:.0f} rows/s, RSS "
                    f"{large[-1]['rss_start_mib']:.1f} → {large[-1]['rss_end_mib']:.1f} MiB "
                    f"(samples: {', '.join(f'{m:.1f}' for _d, m in large[-1]['trace'])})",
                    flush=True,
                )
    finally:
        if running is not None:
            running.stop()
    large_rate = statistics.median(r["rows_per_s"] for r in large)
    small_rate = statistics.median(r["rows_per_s"] for r in small)
    return {
        "rows": rows,
        "rounds": rounds,
        "in": "a Celery worker" if worker else "this process",
        "database": connection.vendor,
        "cpu_s_per_1000_rows_median": statistics.median(r["cpu_s_per_1000_rows"] for r in large),
        "reference_cpu_s_per_1000_rows_median": statistics.median(
            r["cpu_s_per_1000_rows"] for r in small
        ),
        "rows_per_s_median": large_rate,
        "rows_per_s_spread": (
            min(r["rows_per_s"] for r in large),
            max(r["rows_per_s"] for r in large),
        ),
        "reference_rows_per_s_median": small_rate,
        "cost_ratio_per_row": small_rate / large_rate,
        "rss_start_mib": large[-1]["rss_start_mib"],
        "rss_end_mib": large[-1]["rss_end_mib"],
        "rss_growth_mib": max(r["rss_end_mib"] - r["rss_start_mib"] for r in large),
        "trace_last_round": large[-1]["trace"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", nargs="?", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--worker", action="store_true", help="process the files in a real Celery worker"
    )
    args = parser.parse_args()
    if args.worker and os.environ["DJANGO_SETTINGS_MODULE"].endswith(".test"):
        parser.error(
            "--worker needs settings whose files another process can read: "
            "DJANGO_SETTINGS_MODULE=config.settings.local (bench/run.py sets it)"
        )
    result = run(args.rows, args.rounds, worker=args.worker)
    print(
        f"P10 bulk issue on {result['database']} in {result['in']}: {result['rows']:,} rows, "
        f"CPU {result['cpu_s_per_1000_rows_median']:.2f} s per 1,000 rows "
        f"({REFERENCE_ROWS} rows: {result['reference_cpu_s_per_1000_rows_median']:.2f}); median "
        f"{result['rows_per_s_median']:.0f} rows/s (spread {result['rows_per_s_spread'][0]:.0f}–"
        f"{result['rows_per_s_spread'][1]:.0f}; target >= 200); {REFERENCE_ROWS} rows "
        f"{result['reference_rows_per_s_median']:.0f} rows/s; cost ratio per row "
        f"{result['cost_ratio_per_row']:.2f} (target <= 1.2); RSS {result['rss_start_mib']:.1f} → "
        f"{result['rss_end_mib']:.1f} MiB, largest growth {result['rss_growth_mib']:.1f} MiB "
        "(target <= 50)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
