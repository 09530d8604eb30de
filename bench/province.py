"""A province-size data set for the benchmarks (issue #17, point 7; shared/performance.md).

    .venv/bin/python bench/province.py generate --scale 1000000 [--seed 17] [--today 2026-12-06]
    .venv/bin/python bench/province.py measure [--only p3,p4,p5,p6] [--rounds 3]

``generate`` loads, into the database named by PROVINCE_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/chengnuo_province, migrated first if it is not), a
province of ``scale`` subjects (85 % companies with valid unified social credit codes, 15 %
persons with valid resident ID numbers) and ``scale`` commitments of every template kind and
every state, spread over the last four years: their obligations with deadlines, the
deadline ladder (warning schedule), the verification tasks of those under verification
(viewflow process, task and queue index row), the history of every state change
(``commitments_historicalcommitment`` and ``_historicalobligation``), the credit record (5 % of
the subjects with a breach and its measures, 0.5 % serious and black-listed) and one
"check every case" log row per subject. History and event rows come to about 5 per
commitment, so ``--scale 10000000`` is the province of shared/performance.md.

Rows go in with PostgreSQL ``COPY`` in chunks of ``CHUNK`` commitments, one transaction per
chunk with its progress row (table ``bench_province_progress``): an interrupted run resumes
at the first chunk not committed, and a rerun with the same scale does nothing. Every row is
a function of (seed, chunk, index, ``--today``), so the same arguments give the same data.
Monthly partitions (pg_partman) are made first for every month the history and the check
log span, so those rows land in their months, not in the default partition.

``measure`` runs P3 (queue page), P4 (deadline sweep), P5 (check every case over HTTP) and
P6 (transparency log at ``scale`` entries) on the loaded database with the measurement code
of bench_queue, bench_sweep, bench_check and bench_register, and writes the figures to
bench/results/province-<scale>-<time>.json. ``compare A.json B.json`` prints the ratios of
two such runs (e.g. a province of 10,000 against one of 1,000,000).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/chengnuo_province"
CHUNK = 20_000
MONTHS = 48
DEPARTMENTS = 12
REGULATORS = 20
PREFIX = "province-"
# The share of commitments in each state (per mille), and of each template kind.
STATES = (
    ("draft", 30),
    ("signed", 40),
    ("under_verification", 120),
    ("fulfilled", 540),
    ("breached", 30),
    ("withdrawn", 40),
    ("exempt", 200),
)
KINDS = (
    ("inform_commit", 500),
    ("supply_later", 150),
    ("credit_repair", 50),
    ("bidding_pledge", 150),
    ("self_discipline", 100),
    ("voluntary_public", 50),
)
OPEN_STATES = {"draft", "signed", "under_verification"}
PARTITIONED = (
    "credit_checkquery",
    "commitments_historicalcommitment",
    "commitments_historicalobligation",
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
TRADES = ("餐饮", "食品", "建筑", "物流", "科技", "医药", "商贸", "药房", "印刷", "环保")


# Identifiers ---------------------------------------------------------------------------------


def company_code(k: int) -> str:
    """A valid unified social credit code, unique per ``k`` (Shenzhen, enterprise)."""
    from directory.identifiers import USCC_ALPHABET, uscc_check_character

    digits = []
    for _position in range(9):
        k, digit = divmod(k, 31)
        digits.append(USCC_ALPHABET[digit])
    body = "91440300" + "".join(reversed(digits))
    return body + uscc_check_character(body)


def person_code(k: int) -> str:
    """A valid resident ID number, unique per ``k`` (born 1950–2005, Nanshan district)."""
    from directory.identifiers import resident_id_check_character

    born = datetime.date(1950, 1, 1) + datetime.timedelta(days=(k // 1000) % 20_000)
    body = f"440305{born:%Y%m%d}{k % 1000:03d}"
    return body + resident_id_check_character(body)


def subject_row(k: int) -> tuple[str, str, str]:
    """(kind, code, name) of subject number ``k``."""
    if k % 20 >= 17:
        name = SURNAMES[k % len(SURNAMES)] + GIVEN[(k // 7) % len(GIVEN)]
        return "person", person_code(k), name
    return "company", company_code(k), f"深圳市{TRADES[k % len(TRADES)]}示例有限公司{k}"


# Writing -------------------------------------------------------------------------------------


def _copy(cursor, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """COPY ``rows`` into ``table``: psycopg formats each row (in C); a dict goes in as JSON
    (a JSON column may also be given its text, as the commitments' rows do)."""
    from psycopg.types.json import JsonbDumper

    if not rows:
        return
    cursor.adapters.register_dumper(dict, JsonbDumper)
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        write = copy.write_row
        for row in rows:
            write(row)


def _progress(label: str, done: int, total: int, started: float) -> None:
    from bench.fixtures import progress

    # Off a terminal, one line per ten chunks is enough for a log.
    if not sys.stderr.isatty() and done < total and done % (CHUNK * 10):
        return
    progress(label, done, total, started)


# The world: reference rows, made through the ORM once ----------------------------------------


class World:
    """Regions, departments, regulators, templates with their rules and ladders (idempotent)."""

    def __init__(self) -> None:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.hashers import make_password

        from bench.fixtures import reference_template, warning_ladder
        from commitments.catalogue.models import VerificationMethod
        from credit.check.models import CallingSystem
        from credit.check.services import calling_system_register
        from credit.record.models.rules import BreachCategory, CreditList, MeasureType, RuleSet
        from directory.models import (
            Competence,
            Department,
            Matter,
            Region,
            RegulatorMembership,
        )
        from signing.models import SignedDocument

        users = get_user_model()
        password = make_password(None)
        self.region = Region.objects.get_or_create(code="440300", defaults={"name": "深圳市"})[0]
        self.departments = [
            Department.objects.get_or_create(
                code=f"{PREFIX}dept-{n}",
                defaults={"name": f"深圳市第{n + 1}监管局", "region": self.region},
            )[0]
            for n in range(DEPARTMENTS)
        ]
        self.measured = self.departments[0]
        self.reference = Department.objects.get_or_create(
            code=f"{PREFIX}reference", defaults={"name": "南山区市场监管局", "region": self.region}
        )[0]
        self.applicant = users.objects.get_or_create(
            username=f"{PREFIX}applicant",
            defaults={"password": password, "email": "applicant@province.test"},
        )[0]
        self.regulators = []
        for n in range(REGULATORS):
            user = users.objects.get_or_create(
                username=f"{PREFIX}regulator-{n}", defaults={"password": password}
            )[0]
            RegulatorMembership.objects.get_or_create(user=user, department=self.measured)
            self.regulators.append(user)
        for department in self.departments[1:]:
            user = users.objects.get_or_create(
                username=f"{PREFIX}regulator-{department.code}", defaults={"password": password}
            )[0]
            RegulatorMembership.objects.get_or_create(user=user, department=department)
        self.reference_viewer = users.objects.get_or_create(
            username=f"{PREFIX}reference-viewer", defaults={"password": password}
        )[0]
        RegulatorMembership.objects.get_or_create(
            user=self.reference_viewer, department=self.reference
        )
        self.document = SignedDocument.objects.get_or_create(
            sha256="0" * 64,
            defaults={
                "size": 1,
                "stored_at": "2022-01-01T00:00:00Z",
                "signer_certificate_serial": "0",
            },
        )[0]
        self.templates, self.rules, self.steps = {}, {}, {}
        for kind, _share in KINDS:
            matter = Matter.objects.get_or_create(
                code=f"{PREFIX}{kind}".replace("_", "-"),
                defaults={"name": f"省级事项 {kind}", "legal_basis": "《优化营商环境条例》"},
            )[0]
            Competence.objects.get_or_create(
                matter=matter, region=self.region, defaults={"department": self.measured}
            )
            template = reference_template(
                code=f"{PREFIX}{kind}".replace("_", "-"),
                kind=kind,
                matter=matter,
                title=f"省级示例承诺书（{kind}）",
                method=VerificationMethod.ON_SITE,
            )
            self.templates[kind] = template
            self.rules[kind], steps = warning_ladder(template)
            self.steps[kind] = steps
        self.check_matter = Matter.objects.get_or_create(
            code="bench-food-permit",
            defaults={"name": "食品经营许可", "legal_basis": "食品安全法第三十五条"},
        )[0]
        self.officer = users.objects.get_or_create(
            username=f"{PREFIX}officer", defaults={"password": password}
        )[0]
        self.rule_set = RuleSet.objects.get(code="ndrc-order-36")
        self.category = BreachCategory.objects.get(code="missed_obligation")
        self.measure_types = {m.code: m for m in MeasureType.objects.all()}
        self.black_list = CreditList.objects.get(code="serious-dishonesty")
        self.caller = CallingSystem.objects.filter(code="bench-checker").first()
        if self.caller is None:
            self.caller, _key = calling_system_register(
                code="bench-checker", name="Benchmark caller", username="bench-checker", by=None
            )


# Generation ----------------------------------------------------------------------------------


def _ensure_progress_table(cursor) -> None:
    cursor.execute(
        "CREATE TABLE IF NOT EXISTS bench_province_progress ("
        " phase text PRIMARY KEY, rows_done bigint NOT NULL, base bigint NOT NULL,"
        " extra jsonb NOT NULL DEFAULT '{}')"
    )


def _phase_state(cursor, phase: str, bases: dict[str, str]) -> tuple[int, dict[str, int]]:
    """Rows already committed for ``phase`` and the first id of each of its tables
    (fixed on the first run, so a resumed run writes the same ids)."""
    row = cursor.execute(
        "SELECT rows_done, extra FROM bench_province_progress WHERE phase = %s", [phase]
    ).fetchone()
    if row:
        extra = json.loads(row[1]) if isinstance(row[1], str) else row[1]
        return row[0], {k: int(v) for k, v in extra.items()}
    firsts = {}
    for name, (table, column) in {k: v.split(".") for k, v in bases.items()}.items():
        firsts[name] = cursor.execute(
            f"SELECT COALESCE(MAX({column}), 0) + 1 FROM {table}"
        ).fetchone()[0]
    cursor.execute(
        "INSERT INTO bench_province_progress (phase, rows_done, base, extra) VALUES (%s, 0, 0, %s)",
        [phase, json.dumps(firsts)],
    )
    return 0, firsts


# The tables the generator fills. Their plain secondary indexes (neither unique nor backing a
# constraint) are set aside while the rows go in and built again at the end, as pg_restore
# does: one sort per index instead of a random descent per row, which at ten million rows
# no longer fits the cache. Their definitions wait in the progress table, so an interrupted
# run builds them when it is resumed.
LOADED_TABLES = (
    "directory_subject",
    "commitments_commitment",
    "commitments_obligation",
    "commitments_warningschedule",
    "commitments_historicalcommitment",
    "commitments_historicalobligation",
    "viewflow_process",
    "viewflow_task",
    "workflows_verificationtaskindex",
    "credit_breach",
    "credit_measure",
    "credit_listentry",
    "credit_checkquery",
)
INDEXES_ASIDE = "indexes set aside"


def _indexes_set_aside(cursor) -> int:
    """Drop the loaded tables' plain secondary indexes, keeping their definitions."""
    row = cursor.execute(
        "SELECT extra FROM bench_province_progress WHERE phase = %s", [INDEXES_ASIDE]
    ).fetchone()
    kept = (json.loads(row[0]) if isinstance(row[0], str) else row[0]) if row else {}
    found = cursor.execute(
        "SELECT ic.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i"
        " JOIN pg_class c ON c.oid = i.indrelid JOIN pg_class ic ON ic.oid = i.indexrelid"
        " WHERE c.relnamespace = 'public'::regnamespace AND c.relname = ANY(%s)"
        " AND NOT i.indisunique AND NOT i.indisprimary"
        " AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)",
        [list(LOADED_TABLES)],
    ).fetchall()
    for name, definition in found:
        # A partitioned table's index is defined ON ONLY the parent; built again without
        # ONLY it reaches every partition, as the dropped one did.
        kept[name] = definition.replace(" ON ONLY ", " ON ", 1)
    cursor.execute(
        "INSERT INTO bench_province_progress (phase, rows_done, base, extra) VALUES (%s, 0, 0, %s)"
        " ON CONFLICT (phase) DO UPDATE SET extra = EXCLUDED.extra",
        [INDEXES_ASIDE, json.dumps(kept)],
    )
    for name, _definition in found:
        cursor.execute(f'DROP INDEX "{name}"')
    return len(kept)


def _indexes_restore(cursor) -> int:
    """Build every index set aside (also those of an interrupted run) and forget them."""
    row = cursor.execute(
        "SELECT extra FROM bench_province_progress WHERE phase = %s", [INDEXES_ASIDE]
    ).fetchone()
    kept = (json.loads(row[0]) if isinstance(row[0], str) else row[0]) if row else {}
    # Foreign keys checked at commit (the tests keep them on) are checked now: PostgreSQL
    # builds no index on a table with checks still pending.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET maintenance_work_mem = '1GB'")
    for definition in kept.values():
        cursor.execute(definition.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1))
    cursor.execute("RESET maintenance_work_mem")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    cursor.execute("DELETE FROM bench_province_progress WHERE phase = %s", [INDEXES_ASIDE])
    return len(kept)


def _spread_time(rng: random.Random, start: datetime.datetime, end: datetime.datetime):
    return start + datetime.timedelta(seconds=rng.randrange(int((end - start).total_seconds())))


def _pick(rng: random.Random, shares) -> str:
    roll = rng.randrange(1000)
    for name, share in shares:
        if roll < share:
            return name
        roll -= share
    return shares[-1][0]


def generate(
    *,
    scale: int,
    seed: int = 17,
    today: datetime.date | None = None,
    months: int = MONTHS,
    check_foreign_keys: bool = False,
    progress: bool = True,
) -> dict:
    """Load (or complete) a province of ``scale`` subjects and commitments; return counts
    and seconds per phase. ``check_foreign_keys`` keeps PostgreSQL's foreign key triggers on
    (slower; the tests use it to prove the rows consistent). The rows span ``months``."""
    from django.db import connection, transaction
    from viewflow.workflow.models import Process, Task

    from bench.fixtures import monthly_partitions
    from workflows.verification.flows import InformCommitFlow

    today = today or datetime.date.today()
    now = datetime.datetime(today.year, today.month, today.day, 8, tzinfo=datetime.UTC)
    start = (now - datetime.timedelta(days=months * 30.5)).replace(day=1, hour=0)
    world = World()
    timings: dict[str, float] = {}
    flow_class = Process._meta.get_field("flow_class").get_prep_value(InformCommitFlow)
    flow_task = Task._meta.get_field("flow_task").get_prep_value(InformCommitFlow.verify)
    subjects = scale
    connection.ensure_connection()
    raw = connection.connection
    with raw.cursor() as cursor:
        _ensure_progress_table(cursor)
        made = monthly_partitions(cursor, PARTITIONED, start.date(), today)
    started = time.perf_counter()
    with transaction.atomic(), raw.cursor() as cursor:
        set_aside = _indexes_set_aside(cursor)
    timings["indexes_set_aside"] = round(time.perf_counter() - started, 1)

    def run_phase(phase: str, bases: dict[str, str], write_chunk) -> None:
        with transaction.atomic(), raw.cursor() as cursor:
            done, firsts = _phase_state(cursor, phase, bases)
        started = time.perf_counter()
        lo = done
        while lo < scale:
            # A chunk ends on a multiple of CHUNK, so a run that stopped at a scale that is
            # not one continues to the same boundaries as a run that never stopped.
            hi = min((lo // CHUNK + 1) * CHUNK, scale)
            with transaction.atomic(), raw.cursor() as cursor:
                if not check_foreign_keys:
                    cursor.execute("SET LOCAL session_replication_role = replica")
                # A chunk lost to a crash is written again on resume: no need to wait for
                # its commit to reach the disk.
                cursor.execute("SET LOCAL synchronous_commit = off")
                rng = random.Random(f"{seed}:{phase}:{lo}")
                write_chunk(cursor, rng, firsts, lo, hi)
                cursor.execute(
                    "UPDATE bench_province_progress SET rows_done = %s WHERE phase = %s",
                    [hi, phase],
                )
            if progress:
                _progress(phase, hi, scale, started)
            lo = hi
        timings[phase] = round(time.perf_counter() - started, 1)

    # Subjects ----------------------------------------------------------------------------
    def subjects_chunk(cursor, rng, firsts, lo, hi):
        rows = []
        for k in range(lo, hi):
            kind, code, name = subject_row(k)
            rows.append(
                (firsts["subject"] + k, kind, code, name, "", _spread_time(rng, start, now))
            )
        _copy(
            cursor,
            "directory_subject",
            ("id", "kind", "code", "name", "checksum_override_reason", "created_at", "region_id"),
            [(*r, world.region.pk) for r in rows],
        )

    run_phase("subjects", {"subject": "directory_subject.id"}, subjects_chunk)
    with raw.cursor() as cursor:
        subject_first = cursor.execute(
            "SELECT (extra->>'subject')::bigint FROM bench_province_progress WHERE phase = %s",
            ["subjects"],
        ).fetchone()[0]

    # Commitments, their obligations, ladders, tasks and history -----------------------------
    commitment_columns = (
        "id",
        "reference",
        "template_id",
        "subject_id",
        "region_id",
        "created_by_id",
        "field_values",
        "status",
        "created_at",
        "signed_at",
        "signed_by_id",
        "signed_document_id",
        "department_id",
        "verification_due_at",
        "verification_due_basis",
        "decided_at",
        "withdrawal_reason",
        "withdrawn_at",
        "withdrawn_by_id",
        "process_id",
    )
    history_columns = (
        "id",
        "reference",
        "field_values",
        "status",
        "created_at",
        "signed_at",
        "verification_due_at",
        "verification_due_basis",
        "decided_at",
        "history_id",
        "history_date",
        "history_change_reason",
        "history_type",
        "created_by_id",
        "department_id",
        "history_user_id",
        "region_id",
        "signed_by_id",
        "signed_document_id",
        "subject_id",
        "template_id",
        "withdrawal_reason",
        "withdrawn_at",
        "withdrawn_by_id",
    )

    # Read once: a translated field's descriptor costs more than the row it goes into.
    titles = {kind: (t.title, t.pk, t.matter_id) for kind, t in world.templates.items()}
    rule_titles = {kind: (r.title, r.pk) for kind, r in world.rules.items()}
    # A history row is the commitment's row as it stood, with its own columns: positions.
    at = {column: n for n, column in enumerate(history_columns)}
    unsigned = (at["signed_at"], at["signed_by_id"], at["signed_document_id"])
    own = (at["status"], at["history_id"], at["history_date"], at["history_type"])
    own_user = at["history_user_id"]

    def commitments_chunk(cursor, rng, firsts, lo, hi):
        commitments, processes, tasks, index_rows = [], [], [], []
        obligations, ladders, history, obligation_history = [], [], [], []
        for i in range(lo, hi):
            cid = firsts["commitment"] + i
            status = _pick(rng, STATES)
            kind = _pick(rng, KINDS)
            steps = world.steps[kind]
            template_title, template_id, matter_id = titles[kind]
            rule_title, rule_id = rule_titles[kind]
            k = (i * 7_919 + rng.randrange(7)) % subjects
            subject_id = subject_first + k
            if status in OPEN_STATES:
                created = _spread_time(rng, now - datetime.timedelta(days=60), now)
            else:
                created = _spread_time(rng, start, now - datetime.timedelta(days=60))
            signed = created + datetime.timedelta(minutes=rng.randrange(5, 600))
            is_signed = status != "draft"
            department = (
                world.measured
                if rng.random() < 0.4
                else world.departments[rng.randrange(1, DEPARTMENTS)]
            )
            due_date = (signed + datetime.timedelta(days=28)).date()
            basis = json.dumps(
                {
                    "start": signed.date().isoformat(),
                    "count": 20,
                    "unit": "working_days",
                    "skipped": 8,
                    "due_date": due_date.isoformat(),
                }
            )
            verification_due = signed + datetime.timedelta(days=30) if is_signed else None
            decided = (
                signed + datetime.timedelta(days=rng.randrange(1, 40))
                if status in {"fulfilled", "breached", "exempt"}
                else None
            )
            withdrawn = (
                signed + datetime.timedelta(days=rng.randrange(1, 20))
                if status == "withdrawn"
                else None
            )
            process_id = firsts["process"] + i if status == "under_verification" else None
            row = {
                "id": cid,
                "reference": f"PV{i:014d}",
                "template_id": template_id,
                "subject_id": subject_id,
                "region_id": world.region.pk,
                "created_by_id": world.applicant.pk,
                "field_values": "{}",
                "status": status,
                "created_at": created,
                "signed_at": signed if is_signed else None,
                "signed_by_id": world.applicant.pk if is_signed else None,
                "signed_document_id": world.document.pk if is_signed else None,
                "department_id": department.pk if is_signed else None,
                "verification_due_at": verification_due,
                "verification_due_basis": basis if is_signed else None,
                "decided_at": decided,
                "withdrawal_reason": "申请人撤回" if withdrawn else "",
                "withdrawn_at": withdrawn,
                "withdrawn_by_id": world.applicant.pk if withdrawn else None,
                "process_id": process_id,
            }
            commitments.append(tuple(row[c] for c in commitment_columns))
            # History: one row per state the commitment went through.
            path = [("+", "draft", created, world.applicant.pk)]
            if is_signed:
                path.append(("~", "signed", signed, world.applicant.pk))
            if status in {"under_verification", "fulfilled", "breached"}:
                path.append(("~", "under_verification", signed, None))
            if status in {"fulfilled", "breached", "exempt"}:
                path.append(("~", status, decided, world.regulators[i % REGULATORS].pk))
            if withdrawn:
                path.append(("~", "withdrawn", withdrawn, world.applicant.pk))
            stood = [row.get(c) for c in history_columns]  # the history's own columns: None
            for n, (change, state, when, user) in enumerate(path):
                past = stood.copy()
                for position, value in zip(
                    own, (state, firsts["history"] + i * 5 + n, when, change), strict=True
                ):
                    past[position] = value
                past[own_user] = user
                if state == "draft":
                    for position in unsigned:
                        past[position] = None
                history.append(past)
            if status == "under_verification":
                task_id = firsts["task"] + i
                processes.append((process_id, flow_class, "NEW", signed, "{}"))
                tasks.append(
                    (task_id, process_id, flow_task, "HUMAN", "NEW", signed, "start", "{}")
                )
                subject_kind, subject_code, subject_name = subject_row(k)
                due = now + datetime.timedelta(minutes=rng.randrange(-5 * 1440, 60 * 1440))
                index_rows.append(
                    (
                        task_id,
                        process_id,
                        cid,
                        department.pk,
                        matter_id,
                        world.region.pk,
                        due,
                        rng.choice((1, 2, 3)),
                        rng.choice("ABCD"),
                        "on_site",
                        f"PV{i:014d}",
                        subject_code,
                        subject_name,
                        template_title,
                        signed,
                        due - datetime.timedelta(days=3),
                    )
                )
            if status in {"draft", "exempt"}:
                continue
            obligation_id = firsts["obligation"] + i
            settled = {
                "signed": "pending",
                "under_verification": "pending",
                "fulfilled": "fulfilled",
                "breached": "breached",
                "withdrawn": "withdrawn",
            }[status]
            obligations.append((obligation_id, cid, rule_id, rule_title, due_date, basis, settled))
            obligation_history.append(
                (
                    obligation_id,
                    rule_title,
                    due_date,
                    basis,
                    "pending",
                    firsts["obligation_history"] + i * 2,
                    signed,
                    "+",
                    cid,
                    None,
                    rule_id,
                )
            )
            if settled != "pending":
                obligation_history.append(
                    (
                        obligation_id,
                        rule_title,
                        due_date,
                        basis,
                        settled,
                        firsts["obligation_history"] + i * 2 + 1,
                        decided or withdrawn,
                        "~",
                        cid,
                        world.regulators[i % REGULATORS].pk,
                        rule_id,
                    )
                )
            week_before = datetime.datetime.combine(
                due_date - datetime.timedelta(days=7), datetime.time(1), datetime.UTC
            )
            on_the_day = datetime.datetime.combine(due_date, datetime.time(1), datetime.UTC)
            if settled == "pending":
                # Open: nothing due before the benchmark makes its own 1,000 due.
                later = max(on_the_day, now + datetime.timedelta(days=3))
                ladders += [
                    (obligation_id, steps["before7"].pk, "warning", week_before, "done"),
                    (obligation_id, steps["at"].pk, "warning", later, "pending"),
                    (
                        obligation_id,
                        steps["after1"].pk,
                        "warning",
                        later + datetime.timedelta(days=1),
                        "pending",
                    ),
                    (obligation_id, None, "breach", later + datetime.timedelta(days=2), "pending"),
                ]
            else:
                ladders += [
                    (obligation_id, steps["before7"].pk, "warning", week_before, "done"),
                    (obligation_id, steps["at"].pk, "warning", on_the_day, "skipped"),
                ]
        _copy(cursor, "commitments_commitment", commitment_columns, commitments)
        _copy(
            cursor,
            "commitments_historicalcommitment",
            history_columns,
            history,
        )
        _copy(
            cursor,
            "commitments_obligation",
            ("id", "commitment_id", "rule_id", "title", "due_date", "due_basis", "status"),
            obligations,
        )
        _copy(
            cursor,
            "commitments_historicalobligation",
            (
                "id",
                "title",
                "due_date",
                "due_basis",
                "status",
                "history_id",
                "history_date",
                "history_type",
                "commitment_id",
                "history_user_id",
                "rule_id",
            ),
            obligation_history,
        )
        _copy(
            cursor,
            "commitments_warningschedule",
            ("obligation_id", "step_id", "kind", "due_at", "status", "processed_at", "outcome"),
            [
                (*r, r[3] if r[4] == "done" else None, "1 recipient(s)" if r[4] == "done" else "")
                for r in ladders
            ],
        )
        _copy(
            cursor,
            "viewflow_process",
            ("id", "flow_class", "status", "created", "data"),
            processes,
        )
        _copy(
            cursor,
            "viewflow_task",
            (
                "id",
                "process_id",
                "flow_task",
                "flow_task_type",
                "status",
                "created",
                "token",
                "data",
            ),
            tasks,
        )
        _copy(
            cursor,
            "workflows_verificationtaskindex",
            (
                "task_id",
                "process_id",
                "commitment_id",
                "department_id",
                "matter_id",
                "region_id",
                "due_at",
                "priority",
                "risk_grade",
                "method",
                "reference",
                "subject_code",
                "subject_name",
                "template_title",
                "created_at",
                "remind_at",
                "is_escalated",
                "is_spot_check",
            ),
            [(*r, False, False) for r in index_rows],
        )

    run_phase(
        "commitments",
        {
            "commitment": "commitments_commitment.id",
            "history": "commitments_historicalcommitment.history_id",
            "obligation": "commitments_obligation.id",
            "obligation_history": "commitments_historicalobligation.history_id",
            "process": "viewflow_process.id",
            "task": "viewflow_task.id",
        },
        commitments_chunk,
    )

    # The credit record and the check log -----------------------------------------------------
    def credit_chunk(cursor, rng, firsts, lo, hi):
        breaches, measures, entries, checks = [], [], [], []
        for k in range(lo, hi):
            subject_id = subject_first + k
            kind, code, _name = subject_row(k)
            asked = _spread_time(rng, start, now)
            checks.append(
                (
                    code,
                    world.check_matter.code,
                    "approval",
                    "province bench",
                    asked,
                    {"subject": code, "breaches": 1 if k % 20 == 0 else 0},
                    world.caller.pk,
                    subject_id,
                )
            )
            if k % 20:
                continue
            breach_id = firsts["breach"] + k // 20
            serious = k % 200 == 0
            recorded = _spread_time(rng, start, now - datetime.timedelta(days=30)).date()
            breaches.append(
                (
                    breach_id,
                    subject_id,
                    world.category.pk,
                    world.category.legal_basis,
                    "serious" if serious else "general",
                    world.rule_set.pk,
                    recorded,
                    True,
                    recorded,
                    recorded,
                    recorded + datetime.timedelta(days=3 * 365),
                    "省级基准数据",
                    world.officer.pk,
                    "published",
                    "",
                    "",
                    datetime.datetime.combine(recorded, datetime.time(2), datetime.UTC),
                )
            )
            names = ["point_deduction", "closer_supervision"]
            if serious:
                names += ["no_commitment", "bid_restriction", "subsidy_restriction"]
                entries.append(
                    (world.black_list.pk, subject_id, breach_id, "省级基准数据", recorded, "listed")
                )
            for name in names:
                points = (6 if serious else 3) if name == "point_deduction" else 0
                measures.append(
                    (
                        subject_id,
                        breach_id,
                        world.measure_types[name].pk,
                        points,
                        recorded,
                        "active",
                    )
                )
        _copy(
            cursor,
            "credit_checkquery",
            (
                "subject_code",
                "matter_code",
                "purpose",
                "reason",
                "asked_at",
                "answer",
                "calling_system_id",
                "subject_id",
            ),
            checks,
        )
        _copy(
            cursor,
            "credit_breach",
            (
                "id",
                "subject_id",
                "category_id",
                "legal_basis",
                "severity",
                "rule_set_id",
                "record_date",
                "is_publishable",
                "publicity_starts",
                "publicity_min_until",
                "publicity_max_until",
                "reason",
                "recorded_by_id",
                "status",
                "source_kind",
                "source_reference",
                "recorded_at",
            ),
            breaches,
        )
        _copy(
            cursor,
            "credit_measure",
            ("subject_id", "breach_id", "measure_type_id", "points", "starts_on", "status"),
            measures,
        )
        _copy(
            cursor,
            "credit_listentry",
            ("credit_list_id", "subject_id", "breach_id", "reason", "entered_on", "status"),
            entries,
        )

    run_phase("credit", {"breach": "credit_breach.id"}, credit_chunk)

    started = time.perf_counter()
    with transaction.atomic(), raw.cursor() as cursor:
        rebuilt = _indexes_restore(cursor)
    timings["indexes_built"] = round(time.perf_counter() - started, 1)

    # Sequences past the ids written, statistics current.
    started = time.perf_counter()
    with raw.cursor() as cursor:
        for table, column in (
            ("directory_subject", "id"),
            ("commitments_commitment", "id"),
            ("commitments_historicalcommitment", "history_id"),
            ("commitments_obligation", "id"),
            ("commitments_historicalobligation", "history_id"),
            ("commitments_warningschedule", "id"),
            ("viewflow_process", "id"),
            ("viewflow_task", "id"),
            ("credit_breach", "id"),
            ("credit_measure", "id"),
            ("credit_listentry", "id"),
            ("credit_checkquery", "id"),
        ):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'),"
                f" GREATEST((SELECT MAX({column}) FROM {table}), 1))"
            )
    if not connection.in_atomic_block:  # (a test's transaction: no statistics needed)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    timings["sequences_analyze"] = round(time.perf_counter() - started, 1)
    return {
        "scale": scale,
        "seed": seed,
        "today": today.isoformat(),
        "partitioned": made,
        "indexes_set_aside": set_aside,
        "indexes_built": rebuilt,
        "seconds": timings,
        "counts": counts(),
    }


def counts() -> dict[str, int]:
    """Rows in the tables the generator fills, counted."""
    from django.db import connection

    result = {}
    with connection.cursor() as cursor:
        for table in LOADED_TABLES:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            result[table] = cursor.fetchone()[0]
    return result


# Main ----------------------------------------------------------------------------------------


def _environment() -> str:
    url = os.environ.get("PROVINCE_DATABASE_URL", DEFAULT_DATABASE_URL)
    data_dir = ROOT / "var" / "bench-province"
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = url
    os.environ["CHENGNUO_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver,localhost,127.0.0.1"
    os.environ["DATABASE_CONN_MAX_AGE"] = "60"
    os.environ["LOG_LEVEL"] = "ERROR"
    os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/14")
    return url


def _ensure_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as db:
        if not db.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            db.execute(f'CREATE DATABASE "{name}"')


def _disk() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        total = cursor.fetchone()[0]
    return {"database_bytes": total, "database_gib": round(total / 2**30, 2)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    gen = commands.add_parser("generate", help="load (or complete) the province")
    gen.add_argument("--scale", type=int, required=True, help="subjects = commitments")
    gen.add_argument("--seed", type=int, default=17)
    gen.add_argument("--today", type=datetime.date.fromisoformat, default=None)
    gen.add_argument("--check-foreign-keys", action="store_true")
    measure = commands.add_parser("measure", help="run P3–P6 on the loaded province")
    measure.add_argument("--only", default="p3,p4,p5,p6")
    measure.add_argument("--rounds", type=int, default=3)
    compare = commands.add_parser("compare", help="ratios of two measure results")
    compare.add_argument("small")
    compare.add_argument("large")
    args = parser.parse_args()
    if args.command == "compare":
        from bench.province_measure import compare_print

        compare_print(Path(args.small), Path(args.large))
        return 0
    url = _environment()
    _ensure_database(url)
    import django

    django.setup()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter() - started
    print(f"province on {urlsplit(url).path.lstrip('/')}: migrated in {migrated:.1f} s")
    if args.command == "generate":
        print(f"   load average before: {os.getloadavg()}")
        started = time.perf_counter()
        result = generate(
            scale=args.scale,
            seed=args.seed,
            today=args.today,
            check_foreign_keys=args.check_foreign_keys,
        )
        result["total_seconds"] = round(time.perf_counter() - started, 1)
        result["load_average_after"] = os.getloadavg()
        result.update(_disk())
        print(json.dumps(result, indent=2, ensure_ascii=False))
        out = ROOT / "bench" / "results"
        out.mkdir(parents=True, exist_ok=True)
        path = out / f"province-generate-{args.scale}-{datetime.datetime.now():%Y%m%d-%H%M%S}.json"
        path.write_text(json.dumps(result, indent=2, ensure_ascii=False))
        print(f"Results: {path.relative_to(ROOT)}")
        return 0
    from bench.province_measure import measure_all

    return measure_all(only=args.only.split(","), rounds=args.rounds)


if __name__ == "__main__":
    raise SystemExit(main())
