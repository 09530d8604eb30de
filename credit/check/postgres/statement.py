"""PostgreSQL: one check answered and logged by ONE statement.

The token with its user and calling system, the matter, the subject with its breach counts,
measures in force, list designations and grade, and the log ``INSERT`` are a single
data-modifying CTE; the grade and the answer summary are computed in SQL, and tests hold them
equal to ``credit.check.selectors.check_status``. It serves when the batch statement
(``credit.check.postgres.batch``) may not: prepared statements off behind a pooler in
transaction mode, or ``execute_wrappers`` installed.
"""

from __future__ import annotations

import json
import re
from datetime import datetime

from django.conf import settings
from django.db import connection
from django.utils import timezone
from modeltranslation.utils import get_language

from access.selectors import token_hash
from credit.check.models import CheckQuery
from credit.check.read import (
    Caller,
    CheckAnswer,
    CheckedSubject,
    as_date,
    caller_from,
    caller_sql,
    in_language,
)
from credit.check.selectors import CheckStatus
from credit.record.models.base import Severity
from credit.record.models.breaches import Breach, ListEntry, Measure
from credit.record.models.rules import CreditList, GradeRule, MeasureType
from directory.models import Matter, Subject

try:
    import psycopg
except ImportError:  # the embedded SQLite default may run without it
    psycopg = None

_ANSWER_SQL: dict[str, str] = {}


def choice_literal(value) -> str:
    """A choice value of our own models as a literal: known when the statement is planned,
    one parameter fewer to send; never a value from a request."""
    if not re.fullmatch(r"[a-z_]+", str(value)):
        raise ValueError(f"not a plain choice value: {value!r}")
    return f"'{value}'"


def statement_tables() -> tuple[str, ...]:
    """The tables the check statements read and write, from the models: subject, matter,
    breach, measure, measure type, measure type scope, list entry, list, grade rule, log."""
    return (
        Subject._meta.db_table,
        Matter._meta.db_table,
        Breach._meta.db_table,
        Measure._meta.db_table,
        MeasureType._meta.db_table,
        MeasureType.matters.through._meta.db_table,
        ListEntry._meta.db_table,
        CreditList._meta.db_table,
        GradeRule._meta.db_table,
        CheckQuery._meta.db_table,
    )


def answer_sql() -> str:
    """PostgreSQL: the caller, the read, the grade and the log ``INSERT`` as one statement.

    Built once per process from the models' table names; every value is a parameter. The
    grade is the first rule (by position) of the latest set in force that the standing meets,
    exactly ``rules.grade_from``; a measure applies when its type names no purposes or this
    one, and names no matters or this one, exactly as in ``credit.check.read``. Nothing about
    the subject is read unless the caller is an active calling system; the log row is written
    only then and only for a known (or no) matter.
    """
    language = get_language()
    if language in _ANSWER_SQL:
        return _ANSWER_SQL[language]
    subject, matter, breach, measure, mtype, scope, entry, clist, grade, log = statement_tables()
    text = "%({})s::text".format
    code = choice_literal
    no_commitment = code(MeasureType.Kind.NO_COMMITMENT)
    sql = f"""
WITH caller AS ({caller_sql()}),
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
  SELECT m.id, m.points, m.starts_on, m.ends_on, t.code,
         {in_language("t", "name", language)} AS name, t.kind,
         {in_language("t", "legal_basis", language)} AS legal_basis,
         {in_language("t", "applied_by", language)} AS applied_by,
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
  SELECT e.id, e.entered_on, c.code, {in_language("c", "name", language)} AS name, c.kind
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
    # psycopg parses a statement's text once and caches it only up to 4,096 characters:
    # whitespace is squeezed out (no literal of the statement holds ", " or " = ").
    sql = " ".join(sql.split()).replace(", ", ",").replace(" = ", "=")
    _ANSWER_SQL[language] = sql
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
            item[key] = as_date(item[key])
    return items


def check_and_log_statement(
    *,
    token_key: str,
    subject_code: str,
    purpose: str,
    matter_code: str,
    reason: str,
    at: datetime,
) -> CheckAnswer:
    """PostgreSQL: authenticate the caller, answer the check and log it (who, about whom,
    why, what) in one statement, prepared unless ``CREDIT_CHECK_PREPARED`` is off."""
    params = {
        "key": token_hash(token_key),
        "matter": matter_code,
        "subject": subject_code,
        "logged_subject": subject_code[:32],
        "purpose": purpose,
        "day": timezone.localdate(at),
        "reason": reason,
        "at": at,
    }
    with _prepared_cursor() as cursor:
        cursor.execute(answer_sql(), params)
        row = cursor.fetchone()
    caller = caller_from(row[0], row[1], row[2])
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
        lists.setdefault(kind, []).append({"list": code, "name": name, "since": as_date(since)})
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
