"""P4 — the deadline sweep: 1,000 due items among 10,000 and among 1,000,000 stored commitments.

The sweep (``obligation_warnings_sweep``) selects the due ladder steps through the partial
index on ``WarningSchedule(due_at) WHERE status = 'pending'``, writes their warnings to the
outbox and settles the steps. Its cost must follow the number of items due, not the number
stored: the same 1,000 due items are swept among 10,000 stored commitments (the reference)
and among 1,000,000 (target: ratio ≤ 2). Delivery is timed separately: warnings delivered
per second to a local aiosmtpd server over real SMTP.

Data is bulk-loaded with PostgreSQL ``COPY`` (psycopg), with a progress line. Each stored
commitment is signed, under verification, with one obligation and its four ladder rows:
one already settled, three still in the future. The 1,000 due items have their "on the due
date" e-mail warning due now.

    .venv/bin/python bench/bench_sweep.py [--rounds 5] [--large 1000000] [--keep-db]

Uses BENCH_SWEEP_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/chengnuo_bench_sweep).
``run()`` returns the figures as a dict after setting up Django itself.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import socket
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.fixtures import progress  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/chengnuo_bench_sweep"
DUE = 1_000
SMALL = 10_000
LARGE = 1_000_000
TARGET_RATIO = 2.0


# Environment ---------------------------------------------------------------------------------


def _environment() -> str:
    url = os.environ.get("BENCH_SWEEP_DATABASE_URL", DEFAULT_DATABASE_URL)
    data_dir = ROOT / "var" / "bench-sweep"
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = url
    os.environ["CHENGNUO_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["DJANGO_DEBUG"] = "false"  # DEBUG keeps every query in memory
    os.environ["DATABASE_CONN_MAX_AGE"] = "0"
    os.environ["LOG_LEVEL"] = "ERROR"
    return url


def _database(url: str, *, recreate: bool) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as db:
        exists = db.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if recreate and exists:
            db.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            db.execute(f'CREATE DATABASE "{name}"')


# Loading ------------------------------------------------------------------------------------


class World:
    """Reference rows (one city, one template with its ladder) as primary keys."""

    def __init__(self) -> None:
        from django.contrib.auth import get_user_model

        from bench.fixtures import reference_template, warning_ladder
        from commitments.catalogue.models import VerificationMethod
        from directory.models import (
            Competence,
            Department,
            Matter,
            Region,
            RegulatorMembership,
            Subject,
        )
        from signing.models import SignedDocument

        user_model = get_user_model()
        region, _ = Region.objects.get_or_create(code="440300", defaults={"name": "深圳市"})
        matter, _ = Matter.objects.get_or_create(
            code="bench-sweep", defaults={"name": "食品经营许可", "legal_basis": "《食品安全法》"}
        )
        department, _ = Department.objects.get_or_create(
            code="bench-sweep-amr", defaults={"name": "市场监督管理局", "region": region}
        )
        Competence.objects.get_or_create(matter=matter, region=region, department=department)
        regulator, _ = user_model.objects.get_or_create(
            username="bench-sweep-regulator", defaults={"email": "regulator@bench.test"}
        )
        RegulatorMembership.objects.get_or_create(user=regulator, department=department)
        self.applicant, _ = user_model.objects.get_or_create(
            username="bench-sweep-applicant", defaults={"email": "applicant@bench.test"}
        )
        subject, _ = Subject.objects.get_or_create(
            code="914403001922038216",
            defaults={"kind": "company", "name": "深圳市示例餐饮有限公司", "region": region},
        )
        template = reference_template(
            code="bench-sweep",
            kind="inform_commit",
            matter=matter,
            title="食品经营许可告知承诺书",
            method=VerificationMethod.WRITTEN,
        )
        rule, steps = warning_ladder(template)
        document, _ = SignedDocument.objects.get_or_create(
            sha256="0" * 64,
            defaults={
                "size": 1,
                "stored_at": "2026-01-01T00:00:00Z",
                "signer_certificate_serial": "0",
            },
        )
        self.template, self.rule, self.steps = template, rule, steps
        self.region, self.department, self.subject, self.document = (
            region,
            department,
            subject,
            document,
        )


def _stored_count() -> int:
    from commitments.lifecycle.models import Commitment

    return Commitment.objects.filter(template__code="bench-sweep").count()


def load(world: World, *, upto: int, due: int = 0) -> None:
    """COPY commitments (with an obligation and four ladder rows each) until ``upto`` are
    stored; the first ``due`` new ones have their on-the-day warning due now."""
    from django.db import connection

    from commitments.lifecycle.models import Commitment
    from commitments.obligations.models import Obligation, WarningSchedule

    already = _stored_count()
    if already >= upto:
        return
    now = datetime.datetime.now(datetime.UTC)
    signed_at = now - datetime.timedelta(days=10)
    future = now + datetime.timedelta(days=30)
    past = now - datetime.timedelta(days=5)
    due_date = (now + datetime.timedelta(days=20)).date()
    basis = json.dumps(
        {
            "start": signed_at.date().isoformat(),
            "count": 20,
            "unit": "working_days",
            "skipped": 6,
            "due_date": due_date.isoformat(),
        }
    )
    connection.ensure_connection()
    raw = connection.connection
    with raw.cursor() as cursor:
        first_id = cursor.execute(
            "SELECT COALESCE(MAX(id), 0) + 1 FROM commitments_commitment"
        ).fetchone()[0]
        first_obligation = cursor.execute(
            "SELECT COALESCE(MAX(id), 0) + 1 FROM commitments_obligation"
        ).fetchone()[0]
    count = upto - already
    started = time.perf_counter()
    tables = (
        (
            Commitment._meta.db_table,
            "id, reference, template_id, subject_id, region_id, created_by_id, field_values, "
            "status, created_at, signed_at, signed_by_id, signed_document_id, department_id, "
            "verification_due_at, verification_due_basis",
        ),
        (
            Obligation._meta.db_table,
            "id, commitment_id, rule_id, title, due_date, due_basis, status",
        ),
        (
            WarningSchedule._meta.db_table,
            "obligation_id, step_id, kind, due_at, status, processed_at, outcome",
        ),
    )
    with raw.cursor() as cursor:
        # Bulk load: the rows are consistent by construction, so skip the per-row FK triggers.
        cursor.execute("SET session_replication_role = replica")
        for table, columns in tables:
            written, started = 0, time.perf_counter()
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for index in range(count):
                    commitment_id = first_id + index
                    obligation_id = first_obligation + index
                    if table == tables[0][0]:
                        copy.write_row(
                            (
                                commitment_id,
                                f"BS{commitment_id:014d}",
                                world.template.pk,
                                world.subject.pk,
                                world.region.pk,
                                world.applicant.pk,
                                "{}",
                                "under_verification",
                                signed_at,
                                signed_at,
                                world.applicant.pk,
                                world.document.pk,
                                world.department.pk,
                                future,
                                basis,
                            )
                        )
                        written += 1
                    elif table == tables[1][0]:
                        copy.write_row(
                            (
                                obligation_id,
                                commitment_id,
                                world.rule.pk,
                                world.rule.title,
                                due_date,
                                basis,
                                "pending",
                            )
                        )
                        written += 1
                    else:
                        is_due = index < due
                        copy.write_row(
                            (
                                obligation_id,
                                world.steps["before7"].pk,
                                "warning",
                                past,
                                "done",
                                past,
                                "1 recipient(s)",
                            )
                        )
                        copy.write_row(
                            (
                                obligation_id,
                                world.steps["at"].pk,
                                "warning",
                                now - datetime.timedelta(minutes=1) if is_due else future,
                                "pending",
                                None,
                                "",
                            )
                        )
                        copy.write_row(
                            (
                                obligation_id,
                                world.steps["after1"].pk,
                                "warning",
                                future,
                                "pending",
                                None,
                                "",
                            )
                        )
                        copy.write_row((obligation_id, None, "breach", future, "pending", None, ""))
                        written += 4
                    if index % 100_000 == 0:
                        total = count * (4 if table == tables[2][0] else 1)
                        progress(table, written, total, started)
            progress(table, written, written, started)
        cursor.execute("SET session_replication_role = DEFAULT")
        for table in (
            Commitment._meta.db_table,
            Obligation._meta.db_table,
            WarningSchedule._meta.db_table,
        ):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT MAX(id) FROM {table}))"
            )
    with connection.cursor() as cursor:
        cursor.execute(
            "VACUUM ANALYZE commitments_commitment, commitments_obligation, "
            "commitments_warningschedule, notifications_outboxmessage"
        )


def _due_ids(world: World) -> list[int]:
    from commitments.obligations.models import WarningSchedule

    # the due items are the first DUE obligations of the first load
    return list(
        WarningSchedule.objects.filter(step=world.steps["at"])
        .order_by("obligation_id")
        .values_list("pk", flat=True)[:DUE]
    )


def _reset(due_ids: list[int]) -> None:
    """Make the same due items due again and empty the outbox (not timed)."""
    from django.utils import timezone

    from commitments.obligations.models import WarningSchedule
    from notifications.models import OutboxMessage

    OutboxMessage.objects.all().delete()
    WarningSchedule.objects.filter(pk__in=due_ids).update(
        status="pending",
        processed_at=None,
        outcome="",
        due_at=timezone.now() - datetime.timedelta(minutes=1),
    )


def measure_sweep(world: World, *, rounds: int) -> dict:
    from commitments.obligations.services.sweep import obligation_warnings_sweep

    due_ids = _due_ids(world)
    assert len(due_ids) == DUE, len(due_ids)
    _reset(due_ids)
    obligation_warnings_sweep()  # warm-up, not timed: imports, URL resolver, calendar
    timings, warned = [], []
    for _round in range(rounds):
        _reset(due_ids)
        started = time.perf_counter()
        result = obligation_warnings_sweep()
        timings.append(time.perf_counter() - started)
        warned.append(result.warned)
    return {
        "stored": _stored_count(),
        "due": DUE,
        "warned": warned[-1],
        "median_s": statistics.median(timings),
        "min_s": min(timings),
        "max_s": max(timings),
        "items_per_s": DUE / statistics.median(timings),
    }


def measure_delivery() -> dict:
    """Deliver the outbox (1,000 e-mails) to a local aiosmtpd server over real SMTP."""
    from aiosmtpd.controller import Controller
    from django.conf import settings

    from notifications.models import OutboxMessage
    from notifications.services.delivery import outbox_deliver_due

    class Counter:
        received = 0

        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            Counter.received += 1
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Counter(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        pending = OutboxMessage.objects.filter(status="pending").count()
        started = time.perf_counter()
        while outbox_deliver_due(limit=500).sent:
            pass
        elapsed = time.perf_counter() - started
    finally:
        controller.stop()
    return {
        "messages": pending,
        "received_by_server": Counter.received,
        "seconds": elapsed,
        "per_s": pending / elapsed if elapsed else 0.0,
    }


def run(*, rounds: int = 5, large: int = LARGE, keep_db: bool = False) -> dict:
    url = _environment()
    _database(url, recreate=not keep_db)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    world = World()
    load(world, upto=SMALL, due=DUE)
    small = measure_sweep(world, rounds=rounds)
    load(world, upto=large)
    big = measure_sweep(world, rounds=rounds)
    delivery = measure_delivery()
    ratio = big["median_s"] / small["median_s"]
    return {
        "database": urlsplit(url).path.lstrip("/"),
        "rounds": rounds,
        "reference": small,
        "large": big,
        "ratio": ratio,
        "target_ratio": TARGET_RATIO,
        "meets_target": ratio <= TARGET_RATIO,
        "delivery": delivery,
    }


def print_table(result: dict) -> None:
    print()
    print(f"P4 deadline sweep — {DUE:,} due items, {result['rounds']} rounds; median [min–max]")
    header = f"{'stored commitments':>20}  {'sweep (select+enqueue)':>28}  {'items/s':>9}"
    print(header)
    print("-" * len(header))
    for row in (result["reference"], result["large"]):
        cell = (
            f"{row['median_s'] * 1000:.0f} ms [{row['min_s'] * 1000:.0f}–{row['max_s'] * 1000:.0f}]"
        )
        print(f"{row['stored']:>20,}  {cell:>28}  {row['items_per_s']:>9,.0f}")
    verdict = "meets" if result["meets_target"] else "MISSES"
    print(
        f"   ratio large/reference: {result['ratio']:.2f} (target ≤ {TARGET_RATIO:.0f}: {verdict})"
    )
    delivery = result["delivery"]
    print(
        f"   delivery to local aiosmtpd: {delivery['messages']:,} e-mails in "
        f"{delivery['seconds']:.2f} s = {delivery['per_s']:,.0f} warnings/s "
        f"({delivery['received_by_server']:,} received)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--large", type=int, default=LARGE, help="stored commitments, large run")
    parser.add_argument("--keep-db", action="store_true", help="reuse the loaded database")
    args = parser.parse_args()
    result = run(rounds=args.rounds, large=args.large, keep_db=args.keep_db)
    print_table(result)
    return 0 if result["meets_target"] else 1


if __name__ == "__main__":
    sys.exit(main())
