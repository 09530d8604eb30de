""" "Check every case" in one portable statement: the hot read path of other government systems.

A CPU profile of the ORM version showed ~10 ms of CPU per check, mostly Django compiling five
querysets (Exists annotations, breach-count subqueries, select_related joins), not the
database. Here the subject (by code or pk) with its breach counts, the matter asked about,
the measures in force with their types and matter scope, and the list designations with their
lists come back from ONE hand-written, portable (PostgreSQL and SQLite) ``UNION ALL``
statement whose text is built once per process; the rows are turned into the answer in plain
Python. Grade rules come from ``credit.record.selectors.grade_rules_in_force`` (cached per
process).

Row kinds (first column): ``x`` the matter's pk (always one row), ``s`` the subject, ``m`` one
measure in force, ``l`` one list designation.

Also here: who a token stands for (``caller_of``) and the shapes of an answer, which the
PostgreSQL statements (``credit.check.postgres``) give too. ``credit.check.services`` answers
and logs one check with them; tests hold every form equal to
``credit.check.selectors.check_status``.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db import connection
from modeltranslation.settings import DEFAULT_LANGUAGE
from modeltranslation.utils import build_localized_fieldname, get_language

from access.models import ApiToken
from access.selectors import token_hash
from credit.check.models import CallingSystem
from credit.check.selectors import CheckStatus
from credit.record.models.base import Severity
from credit.record.models.breaches import Breach, ListEntry, Measure
from credit.record.models.rules import CreditList, MeasureType
from credit.record.rules import Standing, grade_from
from credit.record.selectors import grade_rules_in_force
from directory.models import Matter, Subject

_SQL: dict[tuple[str, str], str] = {}


def in_language(alias: str, field: str, language: str) -> str:
    """A translated text of a row in ``language`` (ADR 0015), as the ORM reads it: that
    language's column, falling back to the default language's (Chinese). Only column names
    from the models and a configured language are formatted in."""
    default = f"{alias}.{build_localized_fieldname(field, DEFAULT_LANGUAGE)}"
    localized = f"{alias}.{build_localized_fieldname(field, language)}"
    return default if localized == default else f"COALESCE(NULLIF({localized},''),{default})"


def _sql(subject_column: str) -> str:
    """The statement in the active language, built from the models' table names once per
    process and language."""
    language = get_language()
    if (subject_column, language) in _SQL:
        return _SQL[subject_column, language]
    subject = Subject._meta.db_table
    matter = Matter._meta.db_table
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
       t.code, {in_language("t", "name", language)}, t.kind,
       {in_language("t", "legal_basis", language)}, {in_language("t", "applied_by", language)},
       CAST(t.purposes AS TEXT),
       m.starts_on, m.ends_on
  FROM {measure} m
  JOIN {subject} s ON s.id = m.subject_id
  JOIN {mtype} t ON t.id = m.measure_type_id
 WHERE s.{subject_column} = %s AND m.status = %s AND m.starts_on <= %s
   AND (m.ends_on IS NULL OR m.ends_on > %s)
UNION ALL
SELECT 'l', e.id, {null_i}, {null_i}, {null_i},
       c.code, {in_language("c", "name", language)}, c.kind, {null_t}, {null_t}, {null_t},
       e.entered_on, {null_d}
  FROM {entry} e
  JOIN {subject} s ON s.id = e.subject_id
  JOIN {clist} c ON c.id = e.credit_list_id
 WHERE s.{subject_column} = %s AND e.status = %s
"""  # noqa: S608
    _SQL[subject_column, language] = sql
    return sql


def as_date(value) -> date | None:
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
        return Subject(kind=self.kind, code=self.code).display_code


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
    measures = sorted(((as_date(r[11]), r[1], r) for r in measures), key=lambda t: t[:2])
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
        return {"list": r[5], "name": r[6], "since": as_date(r[11])}

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
                "since": as_date(r[11]),
                "until": as_date(r[12]),
            }
            for r in measures
            if applies(r)
        ],
        commitment_allowed=exclusion is None,
        commitment_excluded_by=exclusion[6] if exclusion else None,
    )


# Who asks, and the answer ---------------------------------------------------------------------


class Caller(enum.Enum):
    """What a token says about who asks."""

    ALLOWED = "allowed"
    UNKNOWN_TOKEN = "unknown_token"  # noqa: S105 (a state, not a secret)
    INACTIVE_USER = "inactive_user"
    NOT_A_CALLING_SYSTEM = "not_a_calling_system"


@dataclass(frozen=True)
class CheckAnswer:
    """The answer to one check and the log row written for it (``query_pk`` None: no row,
    because the caller was refused or the matter is unknown)."""

    caller: Caller
    matter_found: bool
    subject: CheckedSubject | None
    status: CheckStatus | None
    query_pk: int | None
    asked_at: datetime


def caller_from(user_active, system_id, system_active) -> Caller:
    """Who asks, from the token's user (None: no such token) and its calling system."""
    if user_active is None:
        return Caller.UNKNOWN_TOKEN
    if not user_active:
        return Caller.INACTIVE_USER
    if system_id is None or not system_active:
        return Caller.NOT_A_CALLING_SYSTEM
    return Caller.ALLOWED


def caller_tables() -> tuple[str, str, str]:
    """The tables of the token, its user and the user's calling system."""
    return ApiToken._meta.db_table, get_user_model()._meta.db_table, CallingSystem._meta.db_table


def caller_sql() -> str:
    """The valid token with its user and calling system (indexed: the digest is unique).

    ``key`` is the secret's digest (``access.selectors.token_hash``), ``at`` the time asked:
    a revoked or expired token is no token.
    """
    token, user, system = caller_tables()
    return (
        f"SELECT u.is_active AS user_active, c.id AS system_id, c.is_active AS system_active"  # noqa: S608
        f" FROM {token} t JOIN {user} u ON u.id = t.user_id"
        f" LEFT JOIN {system} c ON c.user_id = u.id WHERE t.key_hash = CAST(%(key)s AS TEXT)"
        f" AND t.revoked_at IS NULL AND t.expires_at > %(at)s"
    )


def caller_of(*, token_key: str, at: datetime) -> tuple[Caller, int | None]:
    """Who a token stands for (one indexed statement) and its calling system's pk."""
    params = {
        "key": token_hash(token_key),
        "at": connection.ops.adapt_datetimefield_value(at),
    }
    with connection.cursor() as cursor:
        cursor.execute(caller_sql(), params)
        row = cursor.fetchone()
    if row is None:
        return Caller.UNKNOWN_TOKEN, None
    return caller_from(*row), row[1]
