"""P2 — lifecycle throughput: create → sign → store → assign → verify → close.

Every commitment goes the whole way through the real services, as a page or the API would
drive them: ``commitment_create``, ``commitment_submit``
(``workflows.verification.services.submission``: render, the applicant's PAdES B-T
signature, the platform's B-LTA seal, storage, the verification process started and the
task assigned) and
``verification_complete`` by the assigned regulator (finding recorded, task completed, the
process ends). Reference data (districts, departments, regulators, subjects) is bulk-loaded
first and is not timed.

Figures: wall-clock workflow tasks per second (viewflow ``Task`` rows created for the
measured commitments, divided by wall time) with one process and with several processes,
and per-stage medians. Stages are timed by wrapping the functions the services call, so the
services themselves stay untouched:

- create: ``commitment_create``
- render / sign / seal / store: ``render_commitment_pdf`` / ``sign_pdf`` (B-T) /
  ``seal_pdf`` (B-LTA) / ``document_store``
- sign (domain): the rest of ``commitment_sign`` (FSM, obligations, history rows, register)
- assign: the rest of ``commitment_submit`` (flow start, least-loaded assignment, commit)
- verify: ``verification_record`` (finding, FSM, history)
- close: the rest of ``verification_complete`` (claim, task completion, gateway, end, commit)

Call ``run(count=..., rounds=..., processes=...)`` after ``django.setup()`` on PostgreSQL.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import multiprocessing
import random
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

# Camunda 8 sizing: 100 tasks/s on 11 vCPU; our target is per core (performance.md, P2).
REFERENCE_TASKS_PER_CORE = 100 / 11
TARGET_TASKS_PER_CORE = 80.0
STAGES = (
    "create",
    "render",
    "sign",
    "seal",
    "store",
    "sign (domain)",
    "assign",
    "verify",
    "close",
)
WARM_UP = 3  # commitments per process before the clock starts (imports, fonts, CA, caches)


@dataclass
class Fixture:
    """Reference data for one round: the template and who acts (primary keys only)."""

    template_pk: int
    applicants: list[tuple[int, int]] = field(default_factory=list)  # (user pk, subject pk)


# Setup ---------------------------------------------------------------------------------------


def setup(*, count: int, districts: int = 4, regulators_per_department: int = 5) -> Fixture:
    """Bulk-load a city: ``districts`` districts, each with its own competent department and
    regulators, and ``count`` applicants each representing one company."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from commitments.catalogue.models import CommitmentTemplate, ObligationRule, VerificationMethod
    from directory.identifiers import USCC_ALPHABET, uscc_check_character
    from directory.models import (
        Competence,
        DeadlineUnit,
        Department,
        Matter,
        Region,
        RegulatorMembership,
        Subject,
    )
    from directory.representation.models import Representation

    user_model = get_user_model()
    tag = f"{time.time_ns() % 10**10:010d}"
    rng = random.Random(tag)
    unusable = make_password(None)

    city = Region.objects.get_or_create(code="440300", defaults={"name": "深圳市"})[0]
    matter = Matter.objects.get_or_create(
        code="food-business-permit",
        defaults={"name": "食品经营许可", "legal_basis": "《中华人民共和国食品安全法》第三十五条"},
    )[0]
    template = CommitmentTemplate.objects.create(
        code=f"bench-{tag}",
        kind=CommitmentTemplate.Kind.INFORM_AND_COMMIT,
        matter=matter,
        title="食品经营许可告知承诺书",
        notice_legal_basis="《中华人民共和国食品安全法》第三十五条",
        notice_conditions="具有与经营的食品品种、数量相适应的经营场所和设施。",
        notice_waived_proof="不再提交经营场所合法使用的有关证明材料。",
        notice_liability="承诺不实的，依法撤销许可，记入信用记录。",
        notice_verification="审批机关在30个工作日内进行现场核查。",
        notice_publicity="承诺书在信用网站公示，公示期一年。",
        commitment_text="本单位承诺所填报信息真实、准确，已符合上述条件。",
        fields=[
            {"name": "premises", "label": "经营场所", "required": True, "max_length": 200},
            {"name": "scope", "label": "经营项目", "required": True, "max_length": 200},
            {"name": "person_in_charge", "label": "负责人", "required": True, "max_length": 50},
        ],
        verification_method=VerificationMethod.ON_SITE,
        verification_window=30,
        verification_window_unit=DeadlineUnit.WORKING_DAYS,
        publicity_days=365,
        status=CommitmentTemplate.Status.ACTIVE,
    )
    ObligationRule.objects.bulk_create(
        [
            ObligationRule(template=template, position=1, title="提交场所证明", deadline=20),
            ObligationRule(
                template=template,
                position=2,
                title="提交培训证明",
                deadline=30,
                deadline_unit=DeadlineUnit.CALENDAR_DAYS,
            ),
        ]
    )

    first = Region.objects.filter(code__startswith="9").count()  # 9xxxxx: not a real division
    regions = Region.objects.bulk_create(
        [
            Region(code=f"9{first + d:05d}", name=f"基准区{tag}-{d}", parent=city)
            for d in range(districts)
        ]
    )
    departments = Department.objects.bulk_create(
        [
            Department(code=f"bench-{tag}-{d}", name=f"基准市场监督管理局{d}", region=r)
            for d, r in enumerate(regions)
        ]
    )
    Competence.objects.bulk_create(
        [
            Competence(matter=matter, region=r, department=d)
            for r, d in zip(regions, departments, strict=True)
        ]
    )
    regulators = user_model.objects.bulk_create(
        [
            user_model(
                username=f"bench-{tag}-r{d}-{i}", password=unusable, email=f"r{d}-{i}@bench.test"
            )
            for d in range(districts)
            for i in range(regulators_per_department)
        ]
    )
    RegulatorMembership.objects.bulk_create(
        [
            RegulatorMembership(user=u, department=departments[n // regulators_per_department])
            for n, u in enumerate(regulators)
        ]
    )
    applicants = user_model.objects.bulk_create(
        [user_model(username=f"bench-{tag}-a{i}", password=unusable) for i in range(count)]
    )
    subjects = []
    for i in range(count):
        body = "91440300" + "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
        subjects.append(
            Subject(
                kind=Subject.Kind.COMPANY,
                code=body + uscc_check_character(body),
                name=f"深圳市基准餐饮有限公司{tag}-{i}",
                region=regions[i % districts],
            )
        )
    subjects = Subject.objects.bulk_create(subjects)
    Representation.objects.bulk_create(
        [
            Representation(
                subject=s,
                user=u,
                role=Representation.Role.LEGAL_REPRESENTATIVE,
                status=Representation.Status.PROVEN,
                method=Representation.Method.LETTER,
                evidence={"bench": "fixture"},
            )
            for s, u in zip(subjects, applicants, strict=True)
        ]
    )
    return Fixture(template.pk, [(u.pk, s.pk) for u, s in zip(applicants, subjects, strict=True)])


# Timing --------------------------------------------------------------------------------------


class _Stopwatch:
    """Per-commitment stage times, filled by wrappers around the functions services call."""

    def __init__(self) -> None:
        self.current: dict[str, float] = defaultdict(float)
        self.samples: dict[str, list[float]] = defaultdict(list)

    def wrap(self, module, name: str, stage: str) -> None:
        original: Callable = getattr(module, name)
        if getattr(original, "_bench_wrapped", False):
            return

        @functools.wraps(original)
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.current[stage] += time.perf_counter() - started

        timed._bench_wrapped = True
        setattr(module, name, timed)

    def commit_sample(self) -> None:
        current = self.current
        inner_sign = current["render"] + current["sign"] + current["seal"] + current["store"]
        sample = {
            "create": current["create"],
            "render": current["render"],
            "sign": current["sign"],
            "seal": current["seal"],
            "store": current["store"],
            "sign (domain)": current["_commitment_sign"] - inner_sign,
            "assign": current["_submit"] - current["_commitment_sign"],
            "verify": current["verify"],
            "close": current["_complete"] - current["verify"],
        }
        for stage, seconds in sample.items():
            self.samples[stage].append(seconds)
        self.current = defaultdict(float)


def _instrument() -> _Stopwatch:
    from commitments.lifecycle.services import commitments as commitment_module
    from commitments.lifecycle.services import signatures as signature_module
    from commitments.lifecycle.services import verification as verification_module

    # Wrapped where the callers look them up, so the services themselves stay untouched
    # (``workflows.services`` calls ``commitment_sign`` and ``verification_record`` through
    # their modules).
    watch = _Stopwatch()
    watch.wrap(commitment_module, "render_commitment_pdf", "render")
    watch.wrap(signature_module, "sign_pdf", "sign")
    watch.wrap(signature_module, "seal_pdf", "seal")
    watch.wrap(signature_module, "document_store", "store")
    watch.wrap(commitment_module, "commitment_sign", "_commitment_sign")
    watch.wrap(verification_module, "verification_record", "verify")
    return watch


def lifecycle_steps(template, user, subject, number: int, step) -> int:
    """One commitment from draft to closed; returns its process pk.

    The three service calls run inside ``step(name)``, a context manager the caller gives
    ("create", "submit", "complete"): the timing here, the statement count in ``statements``.
    Finding the assigned task between them runs outside any step.
    """
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    from commitments.catalogue.models import VerificationMethod
    from commitments.lifecycle.models import Commitment, Verification
    from commitments.lifecycle.services.commitments import commitment_create
    from workflows.verification.flows import InformCommitFlow
    from workflows.verification.services.submission import commitment_submit
    from workflows.verification.services.work import verification_complete

    with step("create"):
        draft = commitment_create(
            by=user,
            subject=subject,
            template=template,
            field_values={
                "premises": f"深圳市南山区基准路{number}号",
                "scope": "热食类食品制售",
                "person_in_charge": "张三",
            },
        )
    with step("submit"):
        commitment: Commitment = commitment_submit(commitment=draft, by=user)
    task = (
        Task.objects.select_related("owner")
        .filter(process_id=commitment.process_id, flow_task__in=InformCommitFlow.human_task_refs())
        .exclude(status__in=[STATUS.DONE, STATUS.CANCELED])
        .get()
    )
    with step("complete"):
        verification_complete(
            task=task,
            by=task.owner,
            method=VerificationMethod.ON_SITE,
            finding=Verification.Finding.FULFILLED,
            evidence_summary="现场核查，经营场所与承诺一致。",
            inspected_on=datetime.date.today(),
            inspection_location=f"深圳市南山区基准路{number}号",
        )
    return commitment.process_id


_TIMED_AS = {"create": "create", "submit": "_submit", "complete": "_complete"}


def _lifecycle(watch: _Stopwatch, template, user, subject, number: int) -> int:
    """One commitment from draft to closed, each step's time added to ``watch``."""

    @contextlib.contextmanager
    def timed(name: str):
        started = time.perf_counter()
        try:
            yield
        finally:
            watch.current[_TIMED_AS[name]] += time.perf_counter() - started

    process_id = lifecycle_steps(template, user, subject, number, timed)
    watch.commit_sample()
    return process_id


class _QueryCounter:
    """Count the SQL statements run on the default connection (DEBUG stays off)."""

    def __enter__(self) -> _QueryCounter:
        from django.db import connection

        self.count = 0
        self._context = connection.execute_wrapper(self)
        self._context.__enter__()
        return self

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __exit__(self, *exc) -> None:
        self._context.__exit__(*exc)


def _worker(fixture: Fixture, share: list[int], barrier, results) -> None:
    """Run a share of the applicants after a warm-up, starting with the other workers."""
    try:
        results.put(_work(fixture, share, barrier))
    except BaseException:
        import traceback

        barrier.abort()
        results.put({"error": traceback.format_exc()})


def _work(fixture: Fixture, share: list[int], barrier) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connections

    from commitments.catalogue.models import CommitmentTemplate
    from config.startup import freeze_start_up_heap
    from directory.models import Subject

    connections.close_all()  # never share the parent's connection across fork
    watch = _instrument()  # before the URL modules import the functions it wraps
    freeze_start_up_heap()  # as a gunicorn worker does before its first request
    template = CommitmentTemplate.objects.select_related("matter").get(pk=fixture.template_pk)
    users = get_user_model().objects.in_bulk([fixture.applicants[i][0] for i in share])
    subjects = Subject.objects.select_related("region").in_bulk(
        [fixture.applicants[i][1] for i in share]
    )
    people = [(users[fixture.applicants[i][0]], subjects[fixture.applicants[i][1]]) for i in share]
    warm, measured = people[:WARM_UP], people[WARM_UP:]
    queries = []
    for n, (user, subject) in enumerate(warm):
        with _QueryCounter() as counter:
            _lifecycle(watch, template, user, subject, n)
        queries.append(counter.count)
    watch.samples.clear()
    barrier.wait(timeout=600)
    started = time.time()
    processes = [
        _lifecycle(watch, template, user, subject, n) for n, (user, subject) in enumerate(measured)
    ]
    finished = time.time()
    connections.close_all()
    return {
        "started": started,
        "finished": finished,
        "processes": processes,
        "samples": dict(watch.samples),
        "queries": statistics.median(queries),
    }


def run_round(*, count: int, processes: int) -> dict:
    """One round: ``count`` measured commitments split over ``processes`` forked workers."""
    from django.db import connections
    from viewflow.workflow.models import Task

    fixture = setup(count=count + WARM_UP * processes)
    connections.close_all()
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(processes), context.Queue()
    indices = list(range(len(fixture.applicants)))
    shares = [indices[p::processes] for p in range(processes)]
    workers = [
        context.Process(target=_worker, args=(fixture, share, barrier, results)) for share in shares
    ]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=3600) for _ in workers]
    for worker in workers:
        worker.join()
    errors = [o["error"] for o in outcomes if "error" in o]
    if errors:
        raise RuntimeError("a benchmark worker failed:\n" + "\n".join(errors))
    wall = max(o["finished"] for o in outcomes) - min(o["started"] for o in outcomes)
    process_pks = [pk for o in outcomes for pk in o["processes"]]
    tasks = Task.objects.filter(process_id__in=process_pks).count()
    samples: dict[str, list[float]] = defaultdict(list)
    for outcome in outcomes:
        for stage, values in outcome["samples"].items():
            samples[stage].extend(values)
    return {
        "processes": processes,
        "commitments": len(process_pks),
        "tasks": tasks,
        "wall_s": wall,
        "tasks_per_s": tasks / wall,
        "commitments_per_s": len(process_pks) / wall,
        "queries_per_commitment": statistics.median(o["queries"] for o in outcomes),
        "stage_ms": {s: statistics.median(samples[s]) * 1000 for s in STAGES},
    }


def _spread(values: list[float]) -> dict:
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "values": values,
    }


def run(
    *,
    count: int = 200,
    rounds: int = 3,
    processes: tuple[int, ...] = (1, 2),
    progress: Callable[[str], None] = print,
) -> dict:
    """Every configuration for ``rounds`` rounds; medians with min and max."""
    configurations = {}
    for n in processes:
        rounds_done = []
        for r in range(rounds):
            result = run_round(count=count, processes=n)
            progress(
                f"  P2 {n} process(es), round {r + 1}/{rounds}: {result['commitments']} "
                f"commitments, {result['tasks']} tasks in {result['wall_s']:.2f} s = "
                f"{result['tasks_per_s']:.1f} tasks/s"
            )
            rounds_done.append(result)
        tasks_per_s = _spread([r["tasks_per_s"] for r in rounds_done])
        per_core = tasks_per_s["median"] / n
        configurations[n] = {
            "processes": n,
            "tasks_per_commitment": rounds_done[0]["tasks"] / rounds_done[0]["commitments"],
            "queries_per_commitment": rounds_done[0]["queries_per_commitment"],
            "tasks_per_s": tasks_per_s,
            "commitments_per_s": _spread([r["commitments_per_s"] for r in rounds_done]),
            "tasks_per_s_per_core": per_core,
            "ratio_vs_camunda": per_core / REFERENCE_TASKS_PER_CORE,
            "ratio_vs_target": per_core / TARGET_TASKS_PER_CORE,
            "stage_ms": {
                s: statistics.median([r["stage_ms"][s] for r in rounds_done]) for s in STAGES
            },
        }
    return {
        "count": count,
        "rounds": rounds,
        "reference_tasks_per_core": REFERENCE_TASKS_PER_CORE,
        "target_tasks_per_core": TARGET_TASKS_PER_CORE,
        "configurations": configurations,
    }


def profile(*, count: int = 50, top: int = 15) -> str:
    """cProfile of ``count`` lifecycles in this process: the functions with most own time."""
    import cProfile
    import io
    import pstats

    from django.contrib.auth import get_user_model

    from commitments.catalogue.models import CommitmentTemplate
    from directory.models import Subject

    fixture = setup(count=count + WARM_UP)
    watch = _instrument()
    template = CommitmentTemplate.objects.select_related("matter").get(pk=fixture.template_pk)
    people = [
        (get_user_model().objects.get(pk=u), Subject.objects.select_related("region").get(pk=s))
        for u, s in fixture.applicants
    ]
    for n, (user, subject) in enumerate(people[:WARM_UP]):
        _lifecycle(watch, template, user, subject, n)
    profiler = cProfile.Profile()
    profiler.enable()
    for n, (user, subject) in enumerate(people[WARM_UP:]):
        _lifecycle(watch, template, user, subject, n)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top * 2)
    return out.getvalue()
