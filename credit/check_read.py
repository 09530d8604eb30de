""" "Check every case" in one statement: the hot read path of other government systems.

A CPU profile of the ORM version showed ~10 ms of CPU per check, mostly Django compiling five
querysets (Exists annotations, breach-count subqueries, select_related joins), not the
database. Here the subject (by code or pk) with its breach counts, the matter asked about,
the measures in force with their types and matter scope, and the list designations with their
lists come back from ONE hand-written, portable (PostgreSQL and SQLite) ``UNION ALL``
statement whose text is built once per process; the rows are turned into the answer in plain
Python. Grade rules come from ``selectors.grade_rules_in_force`` (cached per process).

Row kinds (first column): ``x`` the matter's pk (always one row), ``s`` the subject, ``m`` one
measure in force, ``l`` one list designation.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from django.apps import apps
from django.db import connection

from .models import Breach, CreditList, ListEntry, Measure, MeasureType, Severity
from .rules import Standing, grade_from
from .selectors import CheckStatus, grade_rules_in_force

_SQL: dict[str, str] = {}


def _sql(subject_column: str) -> str:
    """The statement, built from the models' table names once per process."""
    if subject_column in _SQL:
        return _SQL[subject_column]
    subject = apps.get_model("commitments", "Subject")._meta.db_table
    matter = apps.get_model("commitments", "Matter")._meta.db_table
    breach = Breach._meta.db_table
    measure = Measure._meta.db_table
    mtype = MeasureType._meta.db_table
    scope = MeasureType.matters.through._meta.db_table
    entry = ListEntry._meta.db_table
    clist = CreditList._meta.db_table
    counting = ", ".join(["%s"] * len(Breach.COUNTING))
    null_i, null_t, null_d = "CAST(NULL AS INTEGER)", "CAST(NULL AS TEXT)", "CAST(NULL AS DATE)"
    # Columns: kind, i1, i2, i3, i4, t1, t2, t3, t4, t5, t6, d1, d2
    # Only table names from the models are formatted in; every value is a parameter.
    sql = f"""
SELECT 'x', (SELECT mt.id FROM {matter} mt WHERE mt.code = %s), {null_i}, {null_i}, {null_i},
       {null_t}, {null_t}, {null_t}, {null_t}, {null_t}, {null_t}, {null_d}, {null_d}
UNION ALL
SELECT 's', s.id,
       (SELECT COUNT(*) FROM {breach} b WHERE b.subject_id = s.id AND b.status IN ({counting})),
       (SELECT COUNT(*) FROM {breach} b WHERE b.subject_id = s.id AND b.status IN ({counting})
           AND b.severity = %s),
       {null_i}, s.kind, s.code, s.name, {null_t}, {null_t}, {null_t}, {null_d}, {null_d}
  FROM {subject} s WHERE s.{subject_column} = %s
UNION ALL
SELECT 'm', m.id, m.points,
       CASE WHEN EXISTS (SELECT 1 FROM {scope} sc WHERE sc.measuretype_id = m.measure_type_id)
            THEN 1 ELSE 0 END,
       CASE WHEN EXISTS (SELECT 1 FROM {scope} sc WHERE sc.measuretype_id = m.measure_type_id
                           AND sc.matter_id = (SELECT mt.id FROM {matter} mt WHERE mt.code = %s))
            THEN 1 ELSE 0 END,
       t.code, t.name, t.kind, t.legal_basis, t.applied_by, CAST(t.purposes AS TEXT),
       m.starts_on, m.ends_on
  FROM {measure} m
  JOIN {subject} s ON s.id = m.subject_id
  JOIN {mtype} t ON t.id = m.measure_type_id
 WHERE s.{subject_column} = %s AND m.status = %s AND m.starts_on <= %s
   AND (m.ends_on IS NULL OR m.ends_on > %s)
UNION ALL
SELECT 'l', e.id, {null_i}, {null_i}, {null_i},
       c.code, c.name, c.kind, {null_t}, {null_t}, {null_t}, e.entered_on, {null_d}
  FROM {entry} e
  JOIN {subject} s ON s.id = e.subject_id
  JOIN {clist} c ON c.id = e.credit_list_id
 WHERE s.{subject_column} = %s AND e.status = %s
"""  # noqa: S608
    _SQL[subject_column] = sql
    return sql


def _day(value) -> date | None:
    """SQLite answers dates as ISO text, PostgreSQL as ``date``."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


@dataclass(frozen=True)
class CheckedSubject:
    pk: int
    kind: str
    code: str
    name: str

    @property
    def display_code(self) -> str:
        subject_model = apps.get_model("commitments", "Subject")
        return subject_model(kind=self.kind, code=self.code).display_code


@dataclass(frozen=True)
class CheckRead:
    matter_found: bool
    subject: CheckedSubject | None
    status: CheckStatus | None


def check_read(
    *, subject: str | int, by: str = "code", purpose: str, matter_code: str, on: date
) -> CheckRead:
    """One statement: the subject (``by`` "code" or "id"), whether the matter exists and the
    subject's status for the purpose and matter on a day."""
    day = connection.ops.adapt_datefield_value(on)
    counting = [str(s) for s in Breach.COUNTING]
    params = [
        matter_code,
        *counting,
        *counting,
        str(Severity.SERIOUS),
        subject,
        matter_code,
        subject,
        str(Measure.Status.ACTIVE),
        day,
        day,
        subject,
        str(ListEntry.Status.LISTED),
    ]
    with connection.cursor() as cursor:
        cursor.execute(_sql("code" if by == "code" else "id"), params)
        rows = cursor.fetchall()
    matter_id = None
    found = None
    measures, entries = [], []
    for row in rows:
        kind = row[0]
        if kind == "x":
            matter_id = row[1]
        elif kind == "s":
            found = row
        elif kind == "m":
            measures.append(row)
        else:
            entries.append(row)
    matter_found = matter_id is not None or not matter_code
    if found is None:
        return CheckRead(matter_found=matter_found, subject=None, status=None)
    checked = CheckedSubject(pk=found[1], kind=found[5], code=found[6], name=found[7])
    status = _status(
        counts=(int(found[2] or 0), int(found[3] or 0)),
        measures=measures,
        entries=entries,
        purpose=purpose,
        on=on,
    )
    return CheckRead(matter_found=matter_found, subject=checked, status=status)


def _status(*, counts, measures, entries, purpose: str, on: date) -> CheckStatus:
    # Same order as the ORM version: measures by (starts_on, pk), entries by pk.
    measures = sorted(((_day(r[11]), r[1], r) for r in measures), key=lambda t: t[:2])
    measures = [r for _d, _pk, r in measures]
    entries = sorted(entries, key=lambda r: r[1])
    black = CreditList.Kind.BLACK
    standing = Standing(
        points=sum(int(r[2]) for r in measures),
        breaches=counts[0],
        serious=counts[1],
        blacklisted=any(r[7] == black for r in entries),
    )
    grade = grade_from(standing, grade_rules_in_force(on=on))

    def purposes(raw) -> list:
        if raw is None:
            return []
        return raw if isinstance(raw, list) else json.loads(raw)

    def applies(r) -> bool:
        kinds = purposes(r[10])
        return (not kinds or purpose in kinds) and (not r[3] or bool(r[4]))

    exclusion = next((r for r in measures if r[7] == MeasureType.Kind.NO_COMMITMENT), None)

    def entry(r) -> dict:
        return {"list": r[5], "name": r[6], "since": _day(r[11])}

    return CheckStatus(
        grade=grade,
        black_lists=[entry(r) for r in entries if r[7] == black],
        red_lists=[entry(r) for r in entries if r[7] == CreditList.Kind.RED],
        measures=[
            {
                "code": r[5],
                "name": r[6],
                "kind": r[7],
                "legal_basis": r[8],
                "applied_by": r[9],
                "since": _day(r[11]),
                "until": _day(r[12]),
            }
            for r in measures
            if applies(r)
        ],
        commitment_allowed=exclusion is None,
        commitment_excluded_by=exclusion[6] if exclusion else None,
    )
