"""SQL statements per stage of one commitment lifecycle, and the statements run most often.

    .venv/bin/python -m bench.statements [--lifecycles 3] [--top 25] [--keep-db]

Drives the same lifecycle as P2 (``bench_lifecycle``: create → sign → store → assign → verify
→ close) after three warm-up lifecycles, and attributes every statement sent to PostgreSQL to
the innermost stage running when it was sent. Statements are then grouped by their normalised
text (literals and parameter lists replaced by ``?``) so that repeated reads stand out.
Uses the database of ``bench/run.py`` (BENCH_DATABASE_URL), migrated unless ``--keep-db``.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STAGES = ("create", "sign", "store", "assign", "verify", "close", "other")
_LITERALS = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b")
_LISTS = re.compile(r"\((?:\s*\?\s*,)+\s*\?\s*\)")
_SAVEPOINT = re.compile(r'("s\d+_x\d+")')


def normalise(sql: str) -> str:
    """The statement's text with literals, savepoint names and IN lists folded to ``?``."""
    sql = _SAVEPOINT.sub('"sp"', sql)
    sql = sql.replace("%s", "?")
    sql = _LITERALS.sub("?", sql)
    return _LISTS.sub("(?…)", sql)


class StageRecorder:
    """Attribute each statement on the default connection to the innermost running stage."""

    def __init__(self) -> None:
        self.stack: list[str] = ["other"]
        self.statements: dict[str, list[str]] = defaultdict(list)
        self.recording = False
        self.sequence: list[tuple[str, str]] = []
        self.last_count = 0

    def __call__(self, execute, sql, params, many, context):
        if self.recording:
            self.statements[self.stack[-1]].append(sql)
            self.sequence.append((self.stack[-1], sql))
            self.last_count += 1
        return execute(sql, params, many, context)

    def wrap(self, module, name: str, stage: str) -> None:
        original = getattr(module, name)

        @functools.wraps(original)
        def staged(*args, **kwargs):
            self.stack.append(stage)
            try:
                return original(*args, **kwargs)
            finally:
                self.stack.pop()

        setattr(module, name, staged)


def instrument() -> StageRecorder:
    """Wrap the functions the lifecycle's services call, where the callers look them up."""
    from commitments.lifecycle.services import signatures as signature_module
    from commitments.lifecycle.services import verification as verification_module
    from workflows.verification.services import signing as start_module
    from workflows.verification.services import work as work_module

    recorder = StageRecorder()
    recorder.wrap(start_module, "commitment_sign", "sign")
    recorder.wrap(signature_module, "_seal_and_store", "store")
    recorder.wrap(verification_module, "verification_record", "verify")
    recorder.wrap(work_module, "verification_record", "verify")
    return recorder


_STAGE_OF_STEP = {"create": "create", "submit": "assign", "complete": "close"}


def lifecycle(recorder: StageRecorder, template, user, subject, number: int) -> None:
    """One commitment from draft to closed (``bench_lifecycle``'s), each step under its stage."""
    from bench.bench_lifecycle import lifecycle_steps

    @contextlib.contextmanager
    def staged(name: str):
        recorder.stack.append(_STAGE_OF_STEP[name])
        try:
            yield
        finally:
            recorder.stack.pop()

    lifecycle_steps(template, user, subject, number, staged)


def measure(*, lifecycles: int = 3, warm_up: int = 3) -> StageRecorder:
    """Run ``warm_up`` unrecorded lifecycles, then ``lifecycles`` recorded ones."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from bench import bench_lifecycle
    from commitments.catalogue.models import CommitmentTemplate
    from directory.models import Subject

    fixture = bench_lifecycle.setup(count=lifecycles + warm_up)
    template = CommitmentTemplate.objects.select_related("matter").get(pk=fixture.template_pk)
    people = [
        (get_user_model().objects.get(pk=u), Subject.objects.select_related("region").get(pk=s))
        for u, s in fixture.applicants
    ]
    recorder = instrument()
    with connection.execute_wrapper(recorder):
        for n, (user, subject) in enumerate(people):
            recorder.recording = n >= warm_up
            recorder.last_count = 0
            lifecycle(recorder, template, user, subject, n)
    return recorder


def report(recorder: StageRecorder, *, lifecycles: int, top: int) -> str:
    """Statements per lifecycle by stage, then the most repeated normalised statements."""
    lines = [f"SQL statements per lifecycle (mean of {lifecycles}), by stage"]
    total = 0.0
    for stage in STAGES:
        count = len(recorder.statements.get(stage, ())) / lifecycles
        total += count
        lines.append(f"   {stage:<8} {count:>6.1f}")
    lines.append(f"   {'total':<8} {total:>6.1f}")
    for stage in STAGES:
        statements = recorder.statements.get(stage, ())
        if not statements:
            continue
        lines.append("")
        lines.append(f"{stage}: most repeated statements (per lifecycle)")
        for sql, n in Counter(normalise(s) for s in statements).most_common(top):
            lines.append(f"   {n / lifecycles:>5.1f}  {sql[:220]}")
    everything = [s for stage in STAGES for s in recorder.statements.get(stage, ())]
    lines.append("")
    lines.append("whole lifecycle: most repeated statements (per lifecycle)")
    for sql, n in Counter(normalise(s) for s in everything).most_common(top):
        lines.append(f"   {n / lifecycles:>5.1f}  {sql[:220]}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lifecycles", type=int, default=3)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument(
        "--sequence", action="store_true", help="also list the last lifecycle's statements in order"
    )
    args = parser.parse_args()

    from bench import run as bench_run

    url = bench_run._environment()
    if args.keep_db:
        bench_run._ensure_database(url)
    else:
        bench_run._recreate_database(url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("signing_init", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    recorder = measure(lifecycles=args.lifecycles)
    print(report(recorder, lifecycles=args.lifecycles, top=args.top))
    if args.sequence:
        print()
        print("the last lifecycle's statements in order")
        for stage, sql in recorder.sequence[-recorder.last_count :]:
            print(f"   {stage:<7} {normalise(sql)[:300]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
