"""Writes of "check every case": registering a calling system, and answering a check with
its log row (who asked, about whom, why and what was answered)."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access.models import CALLING_SYSTEM_TOKEN_NAME
from access.services import token_issue
from credit.check.models import CallingSystem, CheckQuery
from credit.check.postgres.statement import check_and_log_statement
from credit.check.read import Caller, CheckAnswer, caller_of, check_read
from credit.errors import CreditError, CreditErrorCode
from directory.audit import audited_save


@transaction.atomic
def calling_system_register(
    *, code: str, name: str, username: str, by: AbstractBaseUser | None, operator: str = ""
) -> tuple[CallingSystem, str]:
    """Register another government system with its own API user; returns its token's secret
    (shown this once: only its digest is kept)."""
    user_model = get_user_model()
    if user_model.objects.filter(username=username).exists():
        raise CreditError(
            CreditErrorCode.INVALID, _("This user name is already taken."), field="username"
        )
    user = user_model(username=username)
    user.set_unusable_password()
    user.save()
    system = CallingSystem(code=code, name=name, operator=operator, user=user)
    audited_save(system, by=by, reason="calling system registered")
    issued = token_issue(user=user, name=CALLING_SYSTEM_TOKEN_NAME % {"code": code}, by=by)
    return system, issued.secret


def check_query_log(
    *,
    calling_system: CallingSystem,
    subject_id: int | None,
    subject_code: str,
    matter_code: str,
    purpose: str,
    reason: str,
    answer: dict,
) -> CheckQuery:
    """Log one "check every case" query, whatever its answer.

    The caller has validated purpose and reason. This is the hottest write of the system, so
    it is one plain ``INSERT ... RETURNING`` (no ``full_clean``, no model save machinery;
    ``CheckQuery`` has no history: it is append-only). Every query is still logged.

    The row commits durably before the answer is sent (``synchronous_commit`` stays on): an
    asynchronous commit was measurably cheaper, but a database crash could then lose the log
    rows of answers already given, and this log is the record of who looked at whom.
    """
    asked_at = timezone.now()
    ops = connection.ops
    values = [
        calling_system.pk,
        subject_id,
        subject_code[:32],
        matter_code[:50],
        purpose,
        reason,
        ops.adapt_datetimefield_value(asked_at),
        ops.adapt_json_value(answer, None),
    ]
    with connection.cursor() as cursor:
        cursor.execute(_check_query_insert_sql(), values)
        pk = cursor.fetchone()[0]
    return CheckQuery(
        pk=pk,
        calling_system=calling_system,
        subject_id=subject_id,
        subject_code=subject_code[:32],
        matter_code=matter_code[:50],
        purpose=purpose,
        reason=reason,
        asked_at=asked_at,
        answer=answer,
    )


_CHECK_QUERY_INSERT: list[str] = []


def _check_query_insert_sql() -> str:
    if _CHECK_QUERY_INSERT:
        return _CHECK_QUERY_INSERT[0]
    table = CheckQuery._meta.db_table
    columns = (
        "calling_system_id, subject_id, subject_code, matter_code, purpose, reason, asked_at, "
        "answer"
    )
    if connection.vendor == "postgresql":
        sql = (
            f"INSERT INTO {table} ({columns}) "  # noqa: S608 (table name from the model)
            "SELECT CAST(%s AS BIGINT), CAST(%s AS BIGINT), CAST(%s AS TEXT), CAST(%s AS TEXT),"
            " CAST(%s AS TEXT), CAST(%s AS TEXT), %s, %s RETURNING id"
        )
    else:
        sql = (
            f"INSERT INTO {table} ({columns})"  # noqa: S608 (table name from the model)
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING id"
        )
    _CHECK_QUERY_INSERT.append(sql)
    return sql


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

    PostgreSQL: one statement (``credit.check.postgres.statement``). Elsewhere (the embedded
    SQLite default): ``check_and_log_portable``, three statements with the same outcome.
    """
    ask = {
        "token_key": token_key,
        "subject_code": subject_code,
        "purpose": purpose,
        "matter_code": matter_code,
        "reason": reason,
        "at": at,
    }
    if connection.vendor == "postgresql":
        return check_and_log_statement(**ask)
    return check_and_log_portable(**ask)


def check_and_log_portable(
    *, token_key: str, subject_code: str, purpose: str, matter_code: str, reason: str, at
) -> CheckAnswer:
    """Any database: the caller, ``check_read`` and the log ``INSERT``, three statements with
    the outcome of PostgreSQL's one."""
    caller, system_id = caller_of(token_key=token_key, at=at)
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
