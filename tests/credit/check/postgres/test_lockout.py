"""The check's statement reads the client's lockout itself: the same verdict as axes'
``is_locked_out`` for every history of failures, nothing read or logged for a locked-out
client in a batch with others that are answered, and one statement per check over HTTP."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from access.lockout import is_locked_out, login_failed, token_lockout
from credit.check.models import CheckQuery
from credit.check.postgres.batch import Question, check_and_log_bodies
from credit.check.read import Caller

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the PostgreSQL statement"
)

START = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)

# address: the failures it had, as (minutes before now, user agent)
HISTORIES = {
    "10.0.0.1": [],
    "10.0.0.2": [(1, "a")] * 4,  # one short of the limit
    "10.0.0.3": [(1, "a")] * 5,  # at the limit
    "10.0.0.4": [(16, "a")] * 5,  # at the limit, but the cool-off (15 min) is over
    "10.0.0.5": [(2, "a")] * 3 + [(1, "b")] * 2,  # counted over two user agents
    "2001:db8::7": [(1, "a")] * 5,  # IPv6
    "10.0.0.8": [(20, "a")] * 3 + [(1, "b")] * 2,  # the older ones no longer count
}


def _request(address: str, agent: str = "a"):
    return RequestFactory().get("/api/v1/check/x/", REMOTE_ADDR=address, HTTP_USER_AGENT=agent)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def histories(db, clock):
    for address, failures in HISTORIES.items():
        for minutes, agent in sorted(failures, reverse=True):
            clock.move_to(START - dt.timedelta(minutes=minutes))
            login_failed(_request(address, agent), method="api_token")
    clock.move_to(START)


def test_the_statement_locks_out_exactly_whom_axes_locks_out(histories, calling_system):
    _system, key = calling_system
    addresses = list(HISTORIES)
    axes = [is_locked_out(_request(address)) for address in addresses]
    questions = [
        Question(
            key,
            "91440300XNOSUCH000",
            "approval",
            "",
            f"case {n}",
            dt.datetime.now(dt.UTC),
            lockout=token_lockout(_request(address)),
        )
        for n, address in enumerate(addresses)
    ]

    answers = check_and_log_bodies(questions)

    assert axes == [False, False, True, False, True, True, False]
    assert [a.locked_out for a in answers] == axes
    for answer, locked in zip(answers, axes, strict=True):
        if locked:  # nothing answered: not even whether the token is right
            assert (answer.caller, answer.query_pk, answer.body) == (
                Caller.UNKNOWN_TOKEN,
                None,
                None,
            )
        else:
            assert answer.caller is Caller.ALLOWED
            assert answer.query_pk is not None
    logged = CheckQuery.objects.order_by("pk").values_list("reason", flat=True)
    assert list(logged) == [f"case {n}" for n, locked in enumerate(axes) if not locked]


def test_a_locked_out_client_with_a_right_token_is_told_only_that_it_is_locked_out(
    histories, calling_system, world
):
    _system, key = calling_system
    client = APIClient(REMOTE_ADDR="10.0.0.3")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = client.get(
        f"/api/v1/check/{world.subject.code}/", {"purpose": "approval", "reason": "case 1"}
    )

    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"
    assert response["Retry-After"] == str(14 * 60)  # 15 minutes after its last failure
    assert CheckQuery.objects.count() == 0


def test_a_check_is_one_statement_lockout_included(histories, calling_system, world):
    _system, key = calling_system
    client = APIClient(REMOTE_ADDR="10.0.0.2")  # four failures: not locked out
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    url = f"/api/v1/check/{world.subject.code}/"
    params = {"purpose": "approval", "reason": "case 1"}
    client.get(url, params)  # warm the caches (content types, translations)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)

    assert response.status_code == 200
    assert [q["sql"].split(" ")[0] for q in queries.captured_queries] == ["EXECUTE"]


def test_without_the_plain_rule_the_lockout_is_asked_on_its_own(settings, histories):
    # given: a lockout that counts by address and user agent, which the statement does not
    settings.AXES_LOCKOUT_PARAMETERS = [["ip_address", "user_agent"]]

    # then: no rule for the statement, and the view asks axes itself
    assert token_lockout(_request("10.0.0.3")) is None
    assert token_lockout(RequestFactory().get("/", REMOTE_ADDR="")) is None
