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

``check_and_log`` answers one check with its log row: on PostgreSQL it goes further and
authenticates the token, reads, grades and writes the log row in ONE prepared statement (a
data-modifying CTE; the grade and the answer summary are computed in SQL, and tests hold them
equal to ``selectors.check_status``); elsewhere it is the token lookup, ``check_read`` and the
insert. The API's PostgreSQL path is ``check_batch``: the same rules over several checks at
once, with the success body written by the statement.
"""

from __future__ import annotations

import enum
import json
import re
from dataclasses import dataclass
from datetime import date, datetime

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from rest_framework.authtoken.models import Token

from credit.models import (
    Breach,
    CallingSystem,
    CheckQuery,
    CreditList,
    GradeRule,
    ListEntry,
    Measure,
    MeasureType,
    Severity,
)
from credit.rules import Standing, grade_from
from credit.selectors import CheckStatus, grade_rules_in_force

try:
    import psycopg
except ImportError:  # the embedded SQLite default may run without it
    psycopg = None

_SQL: dict[str, str] = {}


def _sql(subject_column: str) -> str:
    """The statement, built from the models' table names once per process."""
    if subject_column in _SQL:
        return _SQL[subject_column]
    subject = apps.get_model("directory", "Subject")._meta.db_table
    matter = apps.get_model("directory", "Matter")._meta.db_table
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
        subject_model = apps.get_model("directory", "Subject")
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


# Answer and log in one statement -------------------------------------------------------------


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


def _caller(user_active, system_id, system_active) -> Caller:
    if user_active is None:
        return Caller.UNKNOWN_TOKEN
    if not user_active:
        return Caller.INACTIVE_USER
    if system_id is None or not system_active:
        return Caller.NOT_A_CALLING_SYSTEM
    return Caller.ALLOWED


def caller_tables() -> tuple[str, str, str]:
    """The tables of the token, its user and the user's calling system."""
    return Token._meta.db_table, get_user_model()._meta.db_table, CallingSystem._meta.db_table


def _caller_sql() -> str:
    """The token with its user and calling system (indexed: the token key is the primary key)."""
    token, user, system = caller_tables()
    return (
        f"SELECT u.is_active AS user_active, c.id AS system_id, c.is_active AS system_active"  # noqa: S608
        f" FROM {token} t JOIN {user} u ON u.id = t.user_id"
        f" LEFT JOIN {system} c ON c.user_id = u.id WHERE t.key = CAST(%(key)s AS TEXT)"
    )


def caller_of(*, token_key: str) -> tuple[Caller, int | None]:
    """Who a token stands for (one indexed statement) and its calling system's pk."""
    with connection.cursor() as cursor:
        cursor.execute(_caller_sql(), {"key": token_key})
        row = cursor.fetchone()
    if row is None:
        return Caller.UNKNOWN_TOKEN, None
    return _caller(*row), row[1]


_ANSWER_SQL: list[str] = []


def _literal(value) -> str:
    """A choice value of our own models as a literal: known when the statement is planned,
    one parameter fewer to send; never a value from a request."""
    if not re.fullmatch(r"[a-z_]+", str(value)):
        raise ValueError(f"not a plain choice value: {value!r}")
    return f"'{value}'"


def statement_tables() -> tuple[str, ...]:
    """The tables the check statements read and write, from the models: subject, matter,
    breach, measure, measure type, measure type scope, list entry, list, grade rule, log."""
    return (
        apps.get_model("directory", "Subject")._meta.db_table,
        apps.get_model("directory", "Matter")._meta.db_table,
        Breach._meta.db_table,
        Measure._meta.db_table,
        MeasureType._meta.db_table,
        MeasureType.matters.through._meta.db_table,
        ListEntry._meta.db_table,
        CreditList._meta.db_table,
        GradeRule._meta.db_table,
        CheckQuery._meta.db_table,
    )


def _answer_sql() -> str:
    """PostgreSQL: the caller, the read, the grade and the log ``INSERT`` as one statement.

    Built once per process from the models' table names; every value is a parameter. The
    grade is the first rule (by position) of the latest set in force that the standing meets,
    exactly ``rules.grade_from``; a measure applies when its type names no purposes or this
    one, and names no matters or this one, exactly ``_status`` below. Nothing about the
    subject is read unless the caller is an active calling system; the log row is written
    only then and only for a known (or no) matter.
    """
    if _ANSWER_SQL:
        return _ANSWER_SQL[0]
    subject, matter, breach, measure, mtype, scope, entry, clist, grade, log = statement_tables()
    text = "%({})s::text".format
    code = _literal
    no_commitment = code(MeasureType.Kind.NO_COMMITMENT)
    sql = f"""
WITH caller AS ({_caller_sql()}),
allowed AS (
  SELECT system_id FROM caller WHERE user_active AND system_id IS NOT NULL AND system_active
),
matter AS (SELECT mt.id FROM {matter} mt WHERE mt.code = {text("matter")}),
subject AS (
  SELECT s.id, s.kind, s.code, s.name FROM {subject} s
   WHERE s.code = {text("subject")} AND EXISTS (SELECT 1 FROM allowed)
),
counts AS (
  SELECT COUNT(*) AS breaches,
         COUNT(*) FILTER (WHERE b.severity = {code(Severity.SERIOUS)}) AS serious
    FROM {breach} b JOIN subject s ON s.id = b.subject_id
   WHERE b.status IN ({", ".join(code(s) for s in Breach.COUNTING)})
),
measures AS (
  SELECT m.id, m.points, m.starts_on, m.ends_on, t.code, t.name, t.kind, t.legal_basis,
         t.applied_by,
         (t.purposes IS NULL OR t.purposes IN ('null'::jsonb, '[]'::jsonb)
            OR t.purposes @> jsonb_build_array({text("purpose")}))
         AND (NOT EXISTS (SELECT 1 FROM {scope} sc WHERE sc.measuretype_id = t.id)
            OR EXISTS (SELECT 1 FROM {scope} sc JOIN matter ON matter.id = sc.matter_id
                        WHERE sc.measuretype_id = t.id)) AS applies
    FROM {measure} m
    JOIN subject s ON s.id = m.subject_id
    JOIN {mtype} t ON t.id = m.measure_type_id
   WHERE m.status = {code(Measure.Status.ACTIVE)} AND m.starts_on <= %(day)s
     AND (m.ends_on IS NULL OR m.ends_on > %(day)s)
),
entries AS (
  SELECT e.id, e.entered_on, c.code, c.name, c.kind
    FROM {entry} e
    JOIN subject s ON s.id = e.subject_id
    JOIN {clist} c ON c.id = e.credit_list_id
   WHERE e.status = {code(ListEntry.Status.LISTED)}
),
standing AS (
  SELECT COALESCE((SELECT SUM(points) FROM measures), 0) AS points, counts.breaches,
         counts.serious,
         EXISTS (SELECT 1 FROM entries WHERE kind = {code(CreditList.Kind.BLACK)}) AS black,
         EXISTS (SELECT 1 FROM entries WHERE kind = {code(CreditList.Kind.RED)}) AS red
    FROM counts
),
graded AS (
  SELECT COALESCE((
    SELECT g.grade FROM {grade} g, standing st
     WHERE g.effective_from = (
             SELECT MAX(effective_from) FROM {grade} WHERE effective_from <= %(day)s)
       AND (g.max_points IS NULL OR st.points <= g.max_points)
       AND (g.max_breaches IS NULL OR st.breaches <= g.max_breaches)
       AND (g.max_serious_breaches IS NULL OR st.serious <= g.max_serious_breaches)
       AND (g.allows_black_list OR NOT st.black)
     ORDER BY g.position LIMIT 1), 'D') AS grade
),
logged AS (
  INSERT INTO {log} (calling_system_id, subject_id, subject_code, matter_code, purpose,
                     reason, asked_at, answer)
  SELECT allowed.system_id, (SELECT id FROM subject), {text("logged_subject")},
         {text("matter")}, {text("purpose")}, {text("reason")}, %(at)s,
         CASE WHEN EXISTS (SELECT 1 FROM subject) THEN jsonb_build_object(
           'found', true,
           'grade', (SELECT grade FROM graded),
           'black_listed', st.black,
           'red_listed', st.red,
           'measures', COALESCE(
             (SELECT jsonb_agg(code ORDER BY starts_on, id) FROM measures WHERE applies),
             '[]'::jsonb),
           'commitment_allowed',
             NOT EXISTS (SELECT 1 FROM measures WHERE kind = {no_commitment}))
         ELSE jsonb_build_object('found', false) END
    FROM allowed, standing st
   WHERE ({text("matter")} = '' OR EXISTS (SELECT 1 FROM matter))
  RETURNING id
)
SELECT (SELECT user_active FROM caller), (SELECT system_id FROM caller),
       (SELECT system_active FROM caller),
       ({text("matter")} = '' OR EXISTS (SELECT 1 FROM matter)),
       (SELECT id FROM logged),
       s.id, s.kind, s.code, s.name,
       (SELECT grade FROM graded),
       (SELECT json_agg(json_build_array(kind, code, name, entered_on) ORDER BY id)
          FROM entries),
       (SELECT json_agg(json_build_object(
                  'code', code, 'name', name, 'kind', kind, 'legal_basis', legal_basis,
                  'applied_by', applied_by, 'since', starts_on, 'until', ends_on)
                ORDER BY starts_on, id) FROM measures WHERE applies),
       (SELECT name FROM measures WHERE kind = {no_commitment}
         ORDER BY starts_on, id LIMIT 1)
  FROM (SELECT 1) AS one LEFT JOIN subject s ON true
"""  # noqa: S608
    # psycopg parses a statement's text once and caches it only up to 4,096 characters.
    sql = " ".join(sql.split())
    _ANSWER_SQL.append(sql)
    return sql


class _PreparedCursor(psycopg.Cursor if psycopg else object):  # type: ignore[misc]
    """A server-side binding cursor whose statements are prepared on first use.

    Django leaves psycopg's automatic preparation off (for connection poolers in transaction
    mode); planning the answer statement costs more PostgreSQL CPU than running it, so it
    is prepared once per connection (psycopg keeps up to 100 per connection).
    """

    def execute(self, query, params=None, *, prepare=None, binary=None):
        prepare = settings.CREDIT_CHECK_PREPARED if prepare is None else prepare
        return super().execute(query, params, prepare=prepare, binary=binary)


def _prepared_cursor():
    """Django's (debug) cursor wrapper around a prepared-statement cursor, so that the
    statement is counted and logged like any other (``connection.queries``)."""
    connection.ensure_connection()
    if settings.CREDIT_CHECK_PREPARED and connection.connection.prepare_threshold is None:
        # Django turns psycopg's preparation off (None); a threshold no statement reaches
        # turns it back on for statements executed with ``prepare=True`` only.
        connection.connection.prepare_threshold = 2**31 - 1
    raw = _PreparedCursor(connection.connection)
    if connection.queries_logged:
        return connection.make_debug_cursor(raw)
    return connection.make_cursor(raw)


def _json(value):
    """The JSON columns arrive decoded or as text, depending on the registered loaders."""
    if value is None:
        return []
    return json.loads(value) if isinstance(value, str) else value


def _dated(items: list[dict], *keys: str) -> list[dict]:
    for item in items:
        for key in keys:
            item[key] = _day(item[key])
    return items


def check_and_log(
    *,
    token_key: str,
    subject_code: str,
    purpose: str,
    matter_code: str,
    reason: str,
    at: datetime,
) -> CheckAnswer:
    """Authenticate the caller, answer the check and log it (who, about whom, why, what).

    PostgreSQL: one prepared statement. Elsewhere (the embedded SQLite default): the caller,
    ``check_read`` and the log ``INSERT``, three statements with the same outcome.
    """
    if connection.vendor != "postgresql":
        return _check_and_log_portable(
            token_key=token_key,
            subject_code=subject_code,
            purpose=purpose,
            matter_code=matter_code,
            reason=reason,
            at=at,
        )
    params = {
        "key": token_key,
        "matter": matter_code,
        "subject": subject_code,
        "logged_subject": subject_code[:32],
        "purpose": purpose,
        "day": timezone.localdate(at),
        "reason": reason,
        "at": at,
    }
    with _prepared_cursor() as cursor:
        cursor.execute(_answer_sql(), params)
        row = cursor.fetchone()
    caller = _caller(row[0], row[1], row[2])
    if caller is not Caller.ALLOWED or row[5] is None:
        return CheckAnswer(
            caller=caller,
            matter_found=row[3],
            subject=None,
            status=None,
            query_pk=row[4],
            asked_at=at,
        )
    lists: dict[str, list[dict]] = {CreditList.Kind.BLACK: [], CreditList.Kind.RED: []}
    for kind, code, name, since in _json(row[10]):
        lists.setdefault(kind, []).append({"list": code, "name": name, "since": _day(since)})
    status = CheckStatus(
        grade=row[9],
        black_lists=lists[CreditList.Kind.BLACK],
        red_lists=lists[CreditList.Kind.RED],
        measures=_dated(_json(row[11]), "since", "until"),
        commitment_allowed=row[12] is None,
        commitment_excluded_by=row[12],
    )
    return CheckAnswer(
        caller=caller,
        matter_found=row[3],
        subject=CheckedSubject(pk=row[5], kind=row[6], code=row[7], name=row[8]),
        status=status,
        query_pk=row[4],
        asked_at=at,
    )


def _check_and_log_portable(
    *, token_key: str, subject_code: str, purpose: str, matter_code: str, reason: str, at
) -> CheckAnswer:
    from credit.services import check_query_log

    caller, system_id = caller_of(token_key=token_key)
    if caller is not Caller.ALLOWED:
        return CheckAnswer(
            caller=caller, matter_found=False, subject=None, status=None, query_pk=None, asked_at=at
        )
    read = check_read(
        subject=subject_code, purpose=purpose, matter_code=matter_code, on=timezone.localdate(at)
    )
    if not read.matter_found:
        return CheckAnswer(
            caller=caller, matter_found=False, subject=None, status=None, query_pk=None, asked_at=at
        )
    answer = {"found": True, **read.status.summary()} if read.subject else {"found": False}
    query = check_query_log(
        calling_system=CallingSystem(pk=system_id),
        subject_id=read.subject.pk if read.subject else None,
        subject_code=subject_code,
        matter_code=matter_code,
        purpose=purpose,
        reason=reason,
        answer=answer,
    )
    return CheckAnswer(
        caller=caller,
        matter_found=True,
        subject=read.subject,
        status=read.status,
        query_pk=query.pk,
        asked_at=query.asked_at,
    )
