"""P3 — the regulator queue page with 1,000 and with 100,000 open tasks, and assignment rate.

    /tmp/probe/bin/python bench/bench_queue.py [--small 1000] [--large 100000] [--rounds 5]

The department queue page (``/regulator/queue/?department=<pk>``: unassigned tasks of one
department, sorted by due date then priority, first page of 50) is rendered through Django's
test Client, exactly as a browser would get it, with 1,000 open tasks in the department and
then, in the same run and database, with 100,000. Rows are bulk-loaded (commitments,
viewflow processes and tasks, queue index rows; ``bulk_create`` in batches, with a progress
line), then ``VACUUM ANALYZE``. Figures: median and spread (min–max of the round medians) of
the page time, the ratio large/small (target ≤ 1.5), the absolute median (target ≤ 100 ms)
and the SQL statements of one page at each size (must be equal). A filtered variant (risk
grade D, due within a week, a name search) and a deep keyset page are reported too.

Assignments per second: ``least_loaded_member`` (the flow's ``Assign`` callable, with its
per-department ``pg_advisory_xact_lock``) followed by setting the task's owner, one
transaction per assignment, with one thread and with two threads competing for the same
department; the final loads show the serialisation kept the team balanced.

Uses BENCH_QUEUE_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/chengnuo_bench_queue),
dropped, created and migrated by ``__main__``; ``run()`` expects a configured Django.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.fixtures import progress, reference_template  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/chengnuo_bench_queue"
TARGET_RATIO = 1.5
TARGET_MEDIAN_MS = 100.0
BATCH = 5000
REGULATORS = 20


# Loading -------------------------------------------------------------------------------------


def setup() -> dict:
    """A city with the measured department, a neighbour department, regulators and a template."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from commitments.catalogue.models import CommitmentTemplate, VerificationMethod
    from directory.identifiers import USCC_ALPHABET, uscc_check_character
    from directory.models import (
        Competence,
        Department,
        Matter,
        Region,
        RegulatorMembership,
        Subject,
    )

    user_model = get_user_model()
    rng = random.Random(3)
    city = Region.objects.get_or_create(code="440300", defaults={"name": "深圳市"})[0]
    matter = Matter.objects.get_or_create(
        code="food-business-permit", defaults={"name": "食品经营许可", "legal_basis": "食品安全法"}
    )[0]
    measured = Department.objects.create(code="bench-amr", name="深圳市市场监督管理局", region=city)
    neighbour = Department.objects.create(code="bench-housing", name="深圳市住建局", region=city)
    reference = Department.objects.create(
        code="bench-district", name="南山区市场监管局", region=city
    )
    Competence.objects.get_or_create(matter=matter, region=city, defaults={"department": measured})
    template = reference_template(
        code="bench-food",
        kind=CommitmentTemplate.Kind.INFORM_AND_COMMIT,
        matter=matter,
        title="食品经营许可告知承诺书",
        method=VerificationMethod.ON_SITE,
    )
    password = make_password(None)
    users = user_model.objects.bulk_create(
        [user_model(username=f"bench-reg-{n}", password=password) for n in range(REGULATORS)]
        + [user_model(username=f"bench-other-{n}", password=password) for n in range(3)]
        + [user_model(username="bench-district", password=password)]
        + [user_model(username="bench-applicant", password=password)]
    )
    RegulatorMembership.objects.bulk_create(
        [RegulatorMembership(user=u, department=measured) for u in users[:REGULATORS]]
        + [RegulatorMembership(user=u, department=neighbour) for u in users[REGULATORS:-2]]
        + [RegulatorMembership(user=users[-2], department=reference)]
    )
    subjects = []
    for n in range(200):
        body = "91440300" + "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
        subjects.append(
            Subject(
                kind=Subject.Kind.COMPANY,
                code=body + uscc_check_character(body),
                name=f"深圳市示例餐饮有限公司{n}",
                region=city,
            )
        )
    subjects = Subject.objects.bulk_create(subjects)
    return {
        "city": city,
        "matter": matter,
        "measured": measured,
        "neighbour": neighbour,
        "reference": reference,
        "reference_viewer": users[-2],
        "template": template,
        "regulators": users[:REGULATORS],
        "applicant": users[-1],
        "subjects": subjects,
        "loaded": 0,
    }


def load_open_tasks(world: dict, count: int, *, department=None, label: str = "open tasks") -> None:
    """Bulk-load ``count`` open, unassigned verify tasks (with their commitments and rows)."""
    from django.db import transaction
    from django.utils import timezone
    from viewflow.workflow.models import Process, Task
    from viewflow.workflow.status import STATUS

    from commitments.lifecycle.models import Commitment
    from workflows.verification.flows import InformCommitFlow
    from workflows.verification.models import TaskPriority, VerificationTaskIndex

    department = department or world["measured"]
    rng = random.Random(count + world["loaded"])
    now = timezone.now()
    template = world["template"]
    done = 0
    progress(label, 0, count)
    while done < count:
        size = min(BATCH, count - done)
        offset = world["loaded"]
        with transaction.atomic():
            commitments = Commitment.objects.bulk_create(
                [
                    Commitment(
                        reference=f"BQ{offset + n:012d}",
                        template=template,
                        subject=world["subjects"][(offset + n) % len(world["subjects"])],
                        region=world["city"],
                        created_by=world["applicant"],
                        department=department,
                    )
                    for n in range(size)
                ]
            )
            processes = Process.objects.bulk_create(
                [Process(flow_class=InformCommitFlow, status="NEW") for _ in range(size)]
            )
            tasks = Task.objects.bulk_create(
                [
                    Task(
                        process=process,
                        flow_task=InformCommitFlow.verify,
                        flow_task_type="HUMAN",
                        status=STATUS.NEW,
                    )
                    for process in processes
                ]
            )
            rows = []
            for n, (commitment, task) in enumerate(zip(commitments, tasks, strict=True)):
                subject = world["subjects"][(offset + n) % len(world["subjects"])]
                due = now + datetime.timedelta(minutes=rng.randrange(-5 * 1440, 60 * 1440))
                rows.append(
                    VerificationTaskIndex(
                        task=task,
                        process=task.process,
                        commitment=commitment,
                        department=department,
                        due_at=due,
                        priority=rng.choice(TaskPriority.values),
                        matter=world["matter"],
                        region=world["city"],
                        risk_grade=rng.choice("ABCD"),
                        method="on_site",
                        reference=commitment.reference,
                        subject_code=subject.code,
                        subject_name=subject.name,
                        template_title=template.title,
                        created_at=now - datetime.timedelta(minutes=rng.randrange(0, 40 * 1440)),
                        remind_at=due - datetime.timedelta(days=3),
                    )
                )
            VerificationTaskIndex.objects.bulk_create(rows)
        done += size
        world["loaded"] += size
        progress(label, done, count)


def _vacuum() -> None:
    from django.db import connection
    from viewflow.workflow.models import Task

    from workflows.verification.models import VerificationTaskIndex

    with connection.cursor() as cursor:
        for model in (VerificationTaskIndex, Task):
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


# Measuring -----------------------------------------------------------------------------------


def _summary(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


class _Page:
    """One queue page as one viewer asks for it, warmed up, with its SQL statements counted."""

    def __init__(self, world: dict, *, viewer=None, department=None, params=None) -> None:
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext
        from django.urls import reverse

        self.client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        self.client.force_login(viewer or world["regulators"][0])
        self.url = reverse("workflows:queue")
        department = department or world["measured"]
        self.params = {"department": department.pk, **(params or {})}
        for _ in range(5):  # warm up: templates, translations, the database's caches
            assert self.client.get(self.url, self.params).status_code == 200
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(self.url, self.params)
        assert response.status_code == 200
        self.queries = len(queries)
        self.rows_shown = response.content.decode().count('data-testid="task-row"')
        self.samples: list[float] = []
        self.round_medians: list[float] = []

    def time_requests(self, count: int) -> None:
        times = []
        for _ in range(count):
            started = time.perf_counter()
            self.client.get(self.url, self.params)
            times.append((time.perf_counter() - started) * 1000)
        self.round_medians.append(statistics.median(times))
        self.samples.extend(times)

    def figures(self) -> dict:
        return {
            "median_ms": statistics.median(self.samples),
            "round_medians_ms": _summary(self.round_medians),
            "p95_ms": sorted(self.samples)[int(len(self.samples) * 0.95) - 1],
            "queries": self.queries,
            "rows_shown": self.rows_shown,
        }


def measure_pages(pages: list[_Page], *, rounds: int, requests: int) -> list[dict]:
    """Time the pages round by round, interleaved, so machine noise hits them alike."""
    for _ in range(rounds):
        for page in pages:
            page.time_requests(requests)
    return [page.figures() for page in pages]


def measure_page(world: dict, *, rounds: int, requests: int, params: dict | None = None) -> dict:
    """Median page time (ms) of the measured department's queue, and its SQL statements."""
    return measure_pages([_Page(world, params=params)], rounds=rounds, requests=requests)[0]


def _deep_cursor(world: dict, depth: int) -> str:
    """A keyset cursor ``depth`` rows into the queue (to time a deep page)."""
    from workflows.verification.selectors.queue import (
        QueueFilters,
        Scope,
        encode_cursor,
        task_rows,
    )

    rows = task_rows(
        user=world["regulators"][0],
        scope=Scope.QUEUE,
        filters=QueueFilters(department=world["measured"].pk),
    )
    return encode_cursor(rows[depth])


def measure_assignments(world: dict, *, count: int, threads: int) -> dict:
    """Assignments per second through ``least_loaded_member`` with the advisory lock."""
    from django.db import close_old_connections, transaction
    from django.db.models import Count
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    from directory.models import RegulatorMembership
    from workflows.verification.flows import InformCommitFlow
    from workflows.verification.models import VerificationTaskIndex
    from workflows.verification.services.assignment import least_loaded_member

    refs = InformCommitFlow.human_task_refs()
    department = world["measured"]
    task_ids = list(
        VerificationTaskIndex.objects.filter(department=department, owner__isnull=True)
        .order_by("task_id")
        .values_list("task_id", flat=True)[:count]
    )
    Task.objects.filter(owner__isnull=False).update(owner=None, status=STATUS.NEW)
    chunks = [task_ids[n::threads] for n in range(threads)]
    errors: list[BaseException] = []

    def work(chunk: list[int]) -> None:
        try:
            for task_id in chunk:
                with transaction.atomic():
                    user = least_loaded_member(
                        department=department,
                        role=RegulatorMembership.Role.REGULATOR,
                        flow_tasks=refs,
                    )
                    Task.objects.filter(pk=task_id).update(owner=user, status=STATUS.ASSIGNED)
                    VerificationTaskIndex.objects.filter(task_id=task_id).update(owner=user)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            close_old_connections()
            from django.db import connection

            connection.close()

    workers = [threading.Thread(target=work, args=(chunk,)) for chunk in chunks]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    loads = sorted(
        Task.objects.filter(pk__in=task_ids)
        .values("owner")
        .annotate(n=Count("pk"))
        .values_list("n", flat=True)
    )
    VerificationTaskIndex.objects.filter(task_id__in=task_ids).update(owner=None)
    Task.objects.filter(pk__in=task_ids).update(owner=None, status=STATUS.NEW)
    return {
        "assignments": len(task_ids),
        "threads": threads,
        "per_second": len(task_ids) / elapsed,
        "load_min": loads[0],
        "load_max": loads[-1],
    }


def run(*, small: int = 1000, large: int = 100_000, rounds: int = 5, requests: int = 20) -> dict:
    """Load, measure the queue page at both sizes and the assignment rate; return the figures."""
    world = setup()
    load_open_tasks(world, 2000, department=world["neighbour"], label="neighbour department")
    world_loaded_neighbour = world["loaded"]
    load_open_tasks(world, small, label=f"{small:,} open tasks")
    _vacuum()
    small_page = measure_page(world, rounds=rounds, requests=requests)
    small_filtered = measure_page(
        world, rounds=rounds, requests=requests, params={"grade": "D", "due": "week", "q": "餐饮"}
    )
    load_open_tasks(world, large - small, label=f"up to {large:,} open tasks")
    load_open_tasks(
        world, small, department=world["reference"], label=f"reference department, {small:,}"
    )
    _vacuum()
    filters = {"grade": "D", "due": "week", "q": "餐饮"}
    reference_page, large_page, reference_filtered, large_filtered, deep = measure_pages(
        [
            _Page(world, viewer=world["reference_viewer"], department=world["reference"]),
            _Page(world),
            _Page(
                world,
                viewer=world["reference_viewer"],
                department=world["reference"],
                params=filters,
            ),
            _Page(world, params=filters),
            _Page(world, params={"after": _deep_cursor(world, large // 2)}),
        ],
        rounds=rounds,
        requests=requests,
    )
    assignments = [
        measure_assignments(world, count=400, threads=1),
        measure_assignments(world, count=400, threads=2),
    ]
    ratio = large_page["median_ms"] / reference_page["median_ms"]
    return {
        "small": small,
        "large": large,
        "neighbour_tasks": world_loaded_neighbour,
        "rounds": rounds,
        "requests_per_round": requests,
        "page_small_alone": small_page,
        "filtered_small_alone": small_filtered,
        "page_small": reference_page,
        "page_large": large_page,
        "filtered_small": reference_filtered,
        "filtered_large": large_filtered,
        "deep_page_large": deep,
        "ratio": ratio,
        "ratio_vs_small_alone": large_page["median_ms"] / small_page["median_ms"],
        "filtered_ratio": large_filtered["median_ms"] / reference_filtered["median_ms"],
        "target_ratio": TARGET_RATIO,
        "target_median_ms": TARGET_MEDIAN_MS,
        "is_ratio_met": ratio <= TARGET_RATIO,
        "is_median_met": large_page["median_ms"] <= TARGET_MEDIAN_MS,
        "is_query_count_equal": small_page["queries"]
        == reference_page["queries"]
        == large_page["queries"],
        "assignments": assignments,
    }


def print_table(result: dict) -> None:
    def spread(page: dict) -> str:
        s = page["round_medians_ms"]
        return f"{page['median_ms']:7.1f} [{s['min']:.1f}–{s['max']:.1f}]"

    print()
    print(
        f"P3 regulator queue page — {result['rounds']} rounds × {result['requests_per_round']} "
        f"requests; median ms [min–max of round medians]"
    )
    header = (
        f"   {'page':<34}{'open tasks':>12}{'median ms':>24}{'p95':>8}{'queries':>9}{'rows':>6}"
    )
    print(header)
    print("   " + "-" * (len(header) - 3))
    for label, key, size in (
        ("A queue by due date (table small)", "page_small_alone", result["small"]),
        ("A + grade, due ≤ 7 d, search", "filtered_small_alone", result["small"]),
        ("B queue by due date, reference", "page_small", result["small"]),
        ("B queue by due date", "page_large", result["large"]),
        ("B + grade, due ≤ 7 d, search, ref.", "filtered_small", result["small"]),
        ("B + grade, due ≤ 7 d, search", "filtered_large", result["large"]),
        ("B deep keyset page (middle)", "deep_page_large", result["large"]),
    ):
        page = result[key]
        print(
            f"   {label:<34}{size:>12,}{spread(page):>24}{page['p95_ms']:>8.1f}"
            f"{page['queries']:>9}{page['rows_shown']:>6}"
        )
    print(
        f"   ratio {result['large']:,}/{result['small']:,}: {result['ratio']:.2f} "
        f"(target ≤ {result['target_ratio']}) {'met' if result['is_ratio_met'] else 'MISSED'}; "
        f"median {result['page_large']['median_ms']:.1f} ms (target ≤ "
        f"{result['target_median_ms']:.0f}) {'met' if result['is_median_met'] else 'MISSED'}; "
        f"query counts {'equal' if result['is_query_count_equal'] else 'DIFFER'}"
    )
    print(
        f"   filtered ratio: {result['filtered_ratio']:.2f}; large (B) vs small measured alone "
        f"(A): {result['ratio_vs_small_alone']:.2f}"
    )
    print(
        "   A: before loading the rest (the table holds the small department's tasks and a "
        "neighbour's); B: after, interleaved round by round: a department with "
        f"{result['small']:,} open tasks against the one with {result['large']:,}."
    )
    print()
    print("   assignments (least-loaded, pg_advisory_xact_lock per department, one tx each)")
    print(f"   {'threads':>8}{'assignments':>13}{'per second':>12}{'load min–max':>14}")
    for item in result["assignments"]:
        print(
            f"   {item['threads']:>8}{item['assignments']:>13}{item['per_second']:>12.0f}"
            f"{item['load_min']:>8}–{item['load_max']}"
        )


# Main ----------------------------------------------------------------------------------------


def _prepare_database() -> str:
    import psycopg

    url = os.environ.get("BENCH_QUEUE_DATABASE_URL", DEFAULT_DATABASE_URL)
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = url
    os.environ["CHENGNUO_DATA_DIR"] = str(ROOT / "var" / "bench")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver,localhost"
    os.environ["DATABASE_CONN_MAX_AGE"] = "60"
    os.environ["LOG_LEVEL"] = "ERROR"
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    return url


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    url = _prepare_database()

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(f"P3 on {urlsplit(url).path.lstrip('/')} (PostgreSQL), loading…")
    result = run(small=args.small, large=args.large, rounds=args.rounds, requests=args.requests)
    print_table(result)
    return 0 if result["is_query_count_equal"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
