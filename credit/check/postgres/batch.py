""" "Check every case" answered together: one statement and one durable commit for every
check that waits at the same moment in one process.

Every check writes its log row (who asked, about whom, why, what was answered) and the
answer is sent only once that row is committed durably. On the virtual machines measured
(docs/benchmarks.md, P5) a commit's WAL flush costs more CPU than the whole read, and a
statement's executor start-up (the plan has about a hundred nodes) about as much as its run.
Both are paid once per batch here, not once per check:

* ``check_and_log_bodies`` answers a list of checks with ONE prepared statement over a JSON
  array of questions: per question the token with its user and calling system, the matter,
  the subject with its breach counts, measures in force, list designations and grade, the
  log row, and the success body as compact JSON text (from ``"subject"`` on). It runs in
  autocommit, so the rows of all of them are committed by one WAL flush before any answer
  leaves.
* ``GroupCommit`` (``credit.check.postgres.group``) is group commit in the process: a
  check that arrives while another thread's batch is with PostgreSQL waits; when that batch
  is committed, the first waiting thread takes every check waiting by then to PostgreSQL, on
  its own connection. With no other check in flight a check goes alone at once, so a quiet
  server pays nothing for it.

Only checks in autocommit join a batch (the view's); a check inside a transaction (a
service, a test) goes alone on its own connection, so its log row commits with its own
transaction.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils import timezone
from modeltranslation.settings import AVAILABLE_LANGUAGES, DEFAULT_LANGUAGE
from modeltranslation.utils import build_localized_fieldname, get_language

from access.lockout import TokenLockout, failures_sql
from access.selectors import token_hash
from credit.check.postgres.group import GroupCommit
from credit.check.postgres.statement import choice_literal, statement_tables
from credit.check.read import Caller, caller_from, caller_tables
from credit.record.models.base import Severity
from credit.record.models.breaches import Breach, ListEntry, Measure
from credit.record.models.rules import CreditList, MeasureType
from directory.models import Subject

try:
    import psycopg
    from psycopg import pq
except ImportError:  # the embedded SQLite default may run without it
    psycopg = pq = None

_STATEMENT = b"credit_check_batch"


def language_key(language: str) -> str:
    """A configured language as the statement compares it (``zh-hans``: ``zh_hans``)."""
    return language.replace("-", "_")


_SQL: list[str] = []


@dataclass(frozen=True, slots=True)
class Question:
    """One check as asked: the calling system's token, about whom, for which matter and
    purpose, why and when (``at``: an aware datetime)."""

    token_key: str
    subject_code: str
    purpose: str
    matter_code: str
    reason: str
    at: object
    language: str = field(default_factory=get_language)  # the asking thread's, by default
    lockout: TokenLockout | None = None  # the client's lockout, read by the statement


@dataclass(frozen=True, slots=True)
class CheckBody:
    """One check's answer: who asked, whether the matter is known, the log row and the
    success body from ``"subject"`` on (None: no subject, or no answer at all); or, with
    ``locked_out``, none of it: the client is locked out (nothing read, nothing logged)."""

    caller: Caller
    matter_found: bool
    query_pk: int | None
    body: bytes | None
    locked_out: bool = False


def _log_sequence(table: str) -> str:
    """The log's id sequence as a quoted literal, looked up once (a plan constant then)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT quote_literal(pg_get_serial_sequence(%s, 'id'))", [table])
        return cursor.fetchone()[0]


def _batch_sql() -> str:
    """The statement, built from the models' table names once per process.

    The same rules as ``statement.answer_sql`` (held equal by tests), per question ``n``:
    the grade is the first rule (by position) of the latest set in force on the day that
    the standing meets (``rules.grade_from``); a measure applies when its type names no
    purposes or this one, and no matters or this one. Nothing about a subject is read
    unless the caller is an active calling system and the matter is known (or none); only
    then is the log row written. Log ids are drawn first, so each question gets its own.
    """
    if _SQL:
        return _SQL[0]
    subject, matter, breach, measure, mtype, scope, entry, clist, grade, log = statement_tables()
    code = choice_literal
    token, user, system = caller_tables()
    black, red = code(CreditList.Kind.BLACK), code(CreditList.Kind.RED)
    company = code(Subject.Kind.COMPANY)
    no_commitment = code(MeasureType.Kind.NO_COMMITMENT)

    def asked_in(alias: str, text: str) -> str:
        """A translated text in the language each question was asked in (``s.lang``),
        falling back to the default language's, as the ORM reads it (ADR 0015)."""
        cases = " ".join(
            f"WHEN {code(language_key(language))} "
            f"THEN {alias}.{build_localized_fieldname(text, language)}"
            for language in AVAILABLE_LANGUAGES
        )
        default = f"{alias}.{build_localized_fieldname(text, DEFAULT_LANGUAGE)}"
        return f"COALESCE(NULLIF(CASE s.lang {cases} END,''),{default})"

    def array(columns: str, source: str, where: str, order: str) -> str:
        aggregate = f"string_agg(row_to_json(x)::text, ',' ORDER BY {order})"
        rows = f"{source}, LATERAL (SELECT {columns}) x WHERE {where}"
        return f"'[' || COALESCE((SELECT {aggregate} FROM {rows}), '') || ']'"  # noqa: S608

    def lists(kind: str) -> str:
        return array(
            "e.code AS list, e.name, e.entered_on AS since",
            "entries e",
            f"e.n = q.n AND e.kind = {kind}",
            "e.id",
        )

    measures = array(
        "m.code, m.name, m.kind, m.legal_basis, m.applied_by, m.starts_on AS since,"
        " m.ends_on AS until",
        "measures m",
        "m.n = q.n AND m.applies",
        "m.starts_on, m.id",
    )
    sql = f"""
WITH q AS MATERIALIZED (
  SELECT * FROM ROWS FROM (jsonb_to_recordset($1::jsonb)
    AS (key text, subject text, logged_subject text, matter text, purpose text, reason text,
        day date, at timestamptz, lang text, ip text, since timestamptz, lim int))
    WITH ORDINALITY
    AS q(key, subject, logged_subject, matter, purpose, reason, day, at, lang, ip, since, lim, n)
),
asking AS MATERIALIZED (
  SELECT q.*, x.user_active, x.system_id, x.system_active,
         q.ip IS NOT NULL AND {failures_sql(address="q.ip", since="q.since")} >= q.lim
           AS locked,
         (SELECT mt.id FROM {matter} mt WHERE mt.code = q.matter) AS matter_id
    FROM q LEFT JOIN LATERAL (
      SELECT u.is_active AS user_active, c.id AS system_id, c.is_active AS system_active
        FROM {token} t JOIN {user} u ON u.id = t.user_id
        LEFT JOIN {system} c ON c.user_id = u.id
       WHERE t.key_hash = q.key AND t.revoked_at IS NULL AND t.expires_at > q.at
      OFFSET 0) x ON true
),
asked AS MATERIALIZED (
  SELECT * FROM asking a
   WHERE NOT a.locked AND a.user_active AND a.system_id IS NOT NULL AND a.system_active
     AND (a.matter = '' OR a.matter_id IS NOT NULL)
),
subject AS MATERIALIZED (
  SELECT a.n, a.purpose, a.day, a.matter_id, a.lang, s.id, s.kind, s.code, s.name
    FROM asked a
   CROSS JOIN LATERAL (SELECT * FROM {subject} s WHERE s.code = a.subject OFFSET 0) s
),
counts AS (
  SELECT s.n, x.breaches, x.serious FROM subject s CROSS JOIN LATERAL (
    SELECT COUNT(*) AS breaches,
           COUNT(*) FILTER (WHERE b.severity = {code(Severity.SERIOUS)}) AS serious
      FROM {breach} b
     WHERE b.subject_id = s.id AND b.status IN ({", ".join(code(s) for s in Breach.COUNTING)})
    OFFSET 0) x
),
measures AS MATERIALIZED (
  SELECT s.n, m.* FROM subject s CROSS JOIN LATERAL (
    SELECT m.id, m.points, m.starts_on, m.ends_on, t.code, {asked_in("t", "name")} AS name,
           t.kind, {asked_in("t", "legal_basis")} AS legal_basis,
           {asked_in("t", "applied_by")} AS applied_by,
           (t.purposes IS NULL OR t.purposes IN ('null'::jsonb, '[]'::jsonb)
              OR t.purposes @> jsonb_build_array(s.purpose))
           AND (NOT EXISTS (SELECT 1 FROM {scope} sc WHERE sc.measuretype_id = t.id)
              OR EXISTS (SELECT 1 FROM {scope} sc
                          WHERE sc.measuretype_id = t.id AND sc.matter_id = s.matter_id))
             AS applies
      FROM {measure} m JOIN {mtype} t ON t.id = m.measure_type_id
     WHERE m.subject_id = s.id AND m.status = {code(Measure.Status.ACTIVE)}
       AND m.starts_on <= s.day AND (m.ends_on IS NULL OR m.ends_on > s.day)
    OFFSET 0) m
),
entries AS MATERIALIZED (
  SELECT s.n, e.* FROM subject s CROSS JOIN LATERAL (
    SELECT e.id, e.entered_on, c.code, {asked_in("c", "name")} AS name, c.kind
      FROM {entry} e JOIN {clist} c ON c.id = e.credit_list_id
     WHERE e.subject_id = s.id AND e.status = {code(ListEntry.Status.LISTED)}
    OFFSET 0) e
),
standing AS MATERIALIZED (
  SELECT c.n, COALESCE((SELECT SUM(m.points) FROM measures m WHERE m.n = c.n), 0) AS points,
         c.breaches, c.serious,
         EXISTS (SELECT 1 FROM entries e WHERE e.n = c.n AND e.kind = {black}) AS black,
         EXISTS (SELECT 1 FROM entries e WHERE e.n = c.n AND e.kind = {red}) AS red
    FROM counts c
),
graded AS MATERIALIZED (
  SELECT st.n, COALESCE((
    SELECT g.grade FROM {grade} g
     WHERE g.effective_from = (
             SELECT MAX(effective_from) FROM {grade} WHERE effective_from <= a.day)
       AND (g.max_points IS NULL OR st.points <= g.max_points)
       AND (g.max_breaches IS NULL OR st.breaches <= g.max_breaches)
       AND (g.max_serious_breaches IS NULL OR st.serious <= g.max_serious_breaches)
       AND (g.allows_black_list OR NOT st.black)
     ORDER BY g.position LIMIT 1), 'D') AS grade
    FROM standing st JOIN asked a ON a.n = st.n
),
ids AS MATERIALIZED (
  SELECT a.n, nextval({_log_sequence(log)}::regclass) AS id FROM asked a
),
logged AS (
  INSERT INTO {log} (id, calling_system_id, subject_id, subject_code, matter_code, purpose,
                     reason, asked_at, answer)
  SELECT i.id, a.system_id, s.id, a.logged_subject, a.matter, a.purpose, a.reason, a.at,
         CASE WHEN s.id IS NOT NULL THEN jsonb_build_object(
           'found', true,
           'grade', g.grade,
           'black_listed', st.black,
           'red_listed', st.red,
           'measures', COALESCE(
             (SELECT jsonb_agg(m.code ORDER BY m.starts_on, m.id) FROM measures m
               WHERE m.n = a.n AND m.applies),
             '[]'::jsonb),
           'commitment_allowed',
             NOT EXISTS (SELECT 1 FROM measures m WHERE m.n = a.n AND m.kind = {no_commitment}))
         ELSE jsonb_build_object('found', false) END
    FROM ids i
    JOIN asked a ON a.n = i.n
    LEFT JOIN subject s ON s.n = i.n
    LEFT JOIN standing st ON st.n = i.n
    LEFT JOIN graded g ON g.n = i.n
)
SELECT q.user_active, q.system_id, q.system_active, (q.matter = '' OR q.matter_id IS NOT NULL),
       (SELECT i.id FROM ids i WHERE i.n = q.n),
       (SELECT '{{"subject":{{"code":' || to_json(CASE WHEN s.kind = {company} THEN s.code
             WHEN length(s.code) = 18 THEN left(s.code, 6) || '**********' || right(s.code, 2)
             ELSE repeat('*', length(s.code)) END)
          || ',"name":' || to_json(s.name) || ',"kind":' || to_json(s.kind)
          || '}},"grade":' || to_json(g.grade) || ',"black_listed":' || st.black
          || ',"red_listed":' || st.red || ',"black_lists":' || {lists(black)}
          || ',"red_lists":' || {lists(red)} || ',"measures":' || {measures}
          || ',"commitment_allowed":'
          || (NOT EXISTS (SELECT 1 FROM measures m WHERE m.n = q.n AND m.kind = {no_commitment}))
          || ',"commitment_excluded_by":' || COALESCE(to_json((SELECT m.name FROM measures m
               WHERE m.n = q.n AND m.kind = {no_commitment} ORDER BY m.starts_on, m.id
               LIMIT 1))::text, 'null')
          || '}}'
         FROM standing st, graded g WHERE st.n = q.n AND g.n = q.n AND s.id IS NOT NULL),
       q.locked
  FROM asking q
  LEFT JOIN subject s ON s.n = q.n
 ORDER BY q.n
"""  # noqa: S608
    _SQL.append(" ".join(sql.split()))
    return _SQL[0]


def _questions_json(questions: list[Question]) -> bytes:
    """The statement's one parameter: the questions as a JSON array (their order is ``n``)."""
    return json.dumps(
        [
            {
                "key": token_hash(q.token_key),
                "subject": q.subject_code,
                "logged_subject": q.subject_code[:32],
                "matter": q.matter_code,
                "purpose": q.purpose,
                "reason": q.reason,
                "day": timezone.localdate(q.at).isoformat(),
                "at": q.at.isoformat(),
                "lang": language_key(q.language),
                **(
                    {}
                    if q.lockout is None
                    else {
                        "ip": q.lockout.address,
                        "since": q.lockout.since.isoformat(),
                        "lim": q.lockout.limit,
                    }
                ),
            }
            for q in questions
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()


def _execute(pgconn, sql: str, params: list[bytes]):
    """Run the statement, preparing it first where the server does not hold it.

    psycopg deallocates every prepared statement of its connection (``DEALLOCATE ALL``)
    after a rollback, ours included. Outside a transaction (the view: autocommit) a missing
    statement fails before anything ran, so it is prepared and run again; inside one a
    failure would abort the transaction, so the server is asked first.
    """
    in_transaction = pgconn.transaction_status != pq.TransactionStatus.IDLE
    if in_transaction:
        held = pgconn.exec_params(
            b"SELECT 1 FROM pg_prepared_statements WHERE name = $1", [_STATEMENT]
        )
        if held.status != pq.ExecStatus.TUPLES_OK:
            raise psycopg.errors.error_from_result(held, encoding="utf-8")
        if not held.ntuples:
            _prepare(pgconn, sql)
    result = pgconn.exec_prepared(_STATEMENT, params)
    if (
        not in_transaction
        and result.status == pq.ExecStatus.FATAL_ERROR
        and result.error_field(pq.DiagnosticField.SQLSTATE) == b"26000"  # no such statement
    ):
        _prepare(pgconn, sql)
        result = pgconn.exec_prepared(_STATEMENT, params)
    if result.status != pq.ExecStatus.TUPLES_OK:
        raise psycopg.errors.error_from_result(result, encoding="utf-8")
    return result


def _prepare(pgconn, sql: str) -> None:
    result = pgconn.prepare(_STATEMENT, sql.encode())
    if result.status != pq.ExecStatus.COMMAND_OK:
        raise psycopg.errors.error_from_result(result, encoding="utf-8")


def statement_usable() -> bool:
    """Whether the batch statement may serve: PostgreSQL, prepared statements allowed
    (``CREDIT_CHECK_PREPARED``: off behind a pooler in transaction mode) and no
    ``execute_wrappers`` installed (it bypasses Django's cursor)."""
    db = connections[DEFAULT_DB_ALIAS]  # one look-up of this thread's connection
    return db.vendor == "postgresql" and settings.CREDIT_CHECK_PREPARED and not db.execute_wrappers


def check_and_log_bodies(questions: list[Question]) -> list[CheckBody]:
    """PostgreSQL only: answer and log ``questions`` with one statement, in order.

    It runs through libpq directly on this thread's Django connection and in its
    transaction state (autocommit: every log row is committed, durably, when the statement
    returns); parameters go as text, the bodies come back as the statement wrote them. Its
    errors become Django's, and it is logged in ``connection.queries`` when queries are.
    """
    sql = _batch_sql()
    params = [_questions_json(questions)]
    db = connections[DEFAULT_DB_ALIAS]  # one look-up of this thread's connection, not six
    db.ensure_connection()
    db.validate_no_broken_transaction()
    logged = db.queries_logged
    started = time.monotonic() if logged else 0.0
    with db.wrap_database_errors:
        result = _execute(db.connection.pgconn, sql, params)
        rows = [[result.get_value(r, c) for c in range(7)] for r in range(result.ntuples)]
    if logged:
        db.queries_log.append(
            {
                "sql": f"EXECUTE {_STATEMENT.decode()} ({len(questions)} checks)",
                "time": f"{time.monotonic() - started:.3f}",
            }
        )
    answers = []
    for row in rows:
        if row[6] == b"t":
            answers.append(CheckBody(Caller.UNKNOWN_TOKEN, False, None, None, locked_out=True))
            continue
        caller = caller_from(
            None if row[0] is None else row[0] == b"t",
            None if row[1] is None else int(row[1]),
            row[2] == b"t",
        )
        answers.append(
            CheckBody(
                caller=caller,
                matter_found=row[3] == b"t",
                query_pk=None if row[4] is None else int(row[4]),
                body=row[5] if caller is Caller.ALLOWED else None,
            )
        )
    return answers


_GROUP = GroupCommit(check_and_log_bodies)


def check_and_log_body(
    *,
    token_key: str,
    subject_code: str,
    purpose: str,
    matter_code: str,
    reason: str,
    at,
    lockout: TokenLockout | None = None,
) -> CheckBody:
    """PostgreSQL only: answer and log one check, together with the checks other threads of
    this process ask at the same moment when this one is in autocommit (the view).

    With ``lockout`` the statement first reads whether the client is locked out (the
    failures counted against its address) and, if so, answers nothing and logs nothing: a
    locked-out client learns nothing, not even whether its token is right.
    """
    question = Question(token_key, subject_code, purpose, matter_code, reason, at, lockout=lockout)
    if settings.CREDIT_CHECK_GROUP_COMMIT and connection.get_autocommit():
        return _GROUP.answer(question)
    [answer] = check_and_log_bodies([question])
    return answer


__all__ = [
    "CheckBody",
    "GroupCommit",
    "Question",
    "check_and_log_bodies",
    "check_and_log_body",
    "statement_usable",
]
