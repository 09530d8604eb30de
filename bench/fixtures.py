"""What several benchmarks build the same way: the progress line of a long load, the monthly
partitions a load spread over years needs, and a reference template with its obligation rule
and warning ladder.

Both are idempotent where they make rows (``get_or_create`` by code), so a load that resumes
after an interruption finds the rows the first run made instead of failing on them.
"""

from __future__ import annotations

import datetime
import sys
import time

# The warning ladder of every reference template: a week before, on the day, a day after.
LADDER = (
    ("before7", "before", 7, "applicant"),
    ("at", "at", 0, "applicant"),
    ("after1", "after", 1, "regulator"),
)


def monthly_partitions(cursor, tables, start: datetime.date, until: datetime.date) -> int:
    """Make the monthly partitions from ``start``'s month to ``until``'s of each of ``tables``
    that pg_partman manages, so rows spread over those years land in their months and not in
    the default partition. Returns the number of tables; 0 without pg_partman (SQLite)."""
    from directory.partitions.schema import partman_schema

    schema = partman_schema(cursor)
    if schema is None:
        return 0
    months = []
    month = start.replace(day=1)
    while month <= until:
        months.append(datetime.datetime(month.year, month.month, 1, tzinfo=datetime.UTC))
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    made = 0
    for table in tables:
        configured = cursor.execute(
            f"SELECT 1 FROM {schema}.part_config WHERE parent_table = %s", [f"public.{table}"]
        ).fetchone()
        if configured:
            cursor.execute(
                f"SELECT {schema}.create_partition_time(%s, %s::timestamptz[], false)",
                [f"public.{table}", months],
            )
            made += 1
    return made


def progress(label: str, done: int, total: int, started: float | None = None) -> None:
    """Rewrite one line on standard error: a bar, rows done of the total and, given when the
    load started, its rate. Standard output stays for the benchmark's result."""
    width = 30
    filled = int(width * done / max(total, 1))
    rate = ""
    if started is not None:
        rate = f" ({done / max(time.perf_counter() - started, 1e-9):,.0f}/s)"
    bar = "#" * filled + "." * (width - filled)
    sys.stderr.write(f"\r   {label}: [{bar}] {done:,}/{total:,}{rate}   ")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def reference_template(*, code: str, kind: str, matter, title: str, method: str):
    """The benchmark's template, made once: active, a 30-day verification window, dashes for
    its notice."""
    from commitments.catalogue.models import CommitmentTemplate

    template = CommitmentTemplate.objects.filter(code=code).first()
    if template is None:
        template = CommitmentTemplate.objects.create(
            code=code,
            kind=kind,
            matter=matter,
            title=title,
            verification_method=method,
            verification_window=30,
            status=CommitmentTemplate.Status.ACTIVE,
            # A dash for every text but the title: the benchmarks measure what the system does
            # with a commitment, not how long its notice is.
            **{text: "-" for text in CommitmentTemplate.TEXTS if text != "title"},
        )
    return template


def warning_ladder(template):
    """The template's one obligation (20 working days) and its warning ladder, by step name."""
    from commitments.catalogue.models import ObligationRule
    from commitments.obligations.models import WarningPolicy, WarningStep
    from directory.models import DeadlineUnit

    rule = ObligationRule.objects.get_or_create(
        template=template,
        position=1,
        defaults={"title": "取得场所合法使用证明", "deadline": 20},
    )[0]
    WarningPolicy.objects.get_or_create(template=template)
    steps = {
        name: WarningStep.objects.get_or_create(
            template=template,
            relative=relative,
            offset=offset,
            unit=DeadlineUnit.WORKING_DAYS,
            audience=audience,
            defaults={"channels": ["email"]},
        )[0]
        for name, relative, offset, audience in LADDER
    }
    return rule, steps
