"""The API's token authentication: expiry, revocation, rotation, last use and lockout."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from axes.models import AccessFailureLog
from rest_framework.test import APIClient

from access.models import ApiToken
from access.services import token_issue, token_revoke, token_rotate, token_touch_forget
from credit.check.models import CheckQuery
from credit.check.services import calling_system_register

START = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)
SUBJECTS = "/api/v1/subjects/"


def _client(secret: str, keyword: str = "Token", address: str = "10.0.0.1") -> APIClient:
    client = APIClient(REMOTE_ADDR=address, headers={"accept-language": "en"})
    client.credentials(HTTP_AUTHORIZATION=f"{keyword} {secret}")
    return client


@pytest.fixture
def calling_system(db):
    return calling_system_register(
        code="approval-platform", name="City approval platform", username="approvals", by=None
    )


@pytest.fixture
def clock():
    token_touch_forget()
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller
    token_touch_forget()


def test_a_token_works_with_token_or_bearer_and_records_its_last_use(world, clock):
    issued = token_issue(user=world.applicant, name="script", by=None)

    token_answer = _client(issued.secret).get(SUBJECTS)
    bearer_answer = _client(issued.secret, keyword="Bearer").get(SUBJECTS)

    assert (token_answer.status_code, bearer_answer.status_code) == (200, 200)
    issued.token.refresh_from_db()
    assert issued.token.last_used_at == START


def test_an_expired_token_is_refused(world, clock):
    issued = token_issue(user=world.applicant, name="t", by=None)
    clock.shift(dt.timedelta(days=90))

    response = _client(issued.secret).get(SUBJECTS)

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert response.json()["message"] == "This token has expired."


def test_a_revoked_token_is_refused_on_the_next_request_and_when_replayed(world, clock):
    issued = token_issue(user=world.applicant, name="t", by=None)
    client = _client(issued.secret)
    assert client.get(SUBJECTS).status_code == 200

    token_revoke(token=issued.token, by=world.applicant, reason="leaked")
    replays = [client.get(SUBJECTS) for _n in range(2)]

    assert [r.status_code for r in replays] == [401, 401]
    assert replays[0].json()["message"] == "This token has been revoked."
    assert ApiToken.objects.get().last_used_at == START  # the refusals used nothing


def test_a_rotated_token_works_during_the_overlap_and_is_refused_after(world, clock, settings):
    settings.ACCESS_TOKEN_ROTATION_OVERLAP_HOURS = 2
    old = token_issue(user=world.applicant, name="t", by=None)
    new = token_rotate(token=old.token, by=None)

    clock.shift(dt.timedelta(hours=1, minutes=59))
    during = (_client(old.secret).get(SUBJECTS), _client(new.secret).get(SUBJECTS))
    clock.shift(dt.timedelta(minutes=1))
    after = (_client(old.secret).get(SUBJECTS), _client(new.secret).get(SUBJECTS))

    assert [r.status_code for r in during] == [200, 200]
    assert [r.status_code for r in after] == [401, 200]


def test_wrong_tokens_lock_the_address_out_with_429_and_retry_after(world, clock):
    valid = token_issue(user=world.applicant, name="t", by=None)
    refusals = [_client("0" * 40, address="10.0.0.66").get(SUBJECTS) for _n in range(5)]

    locked = _client(valid.secret, address="10.0.0.66").get(SUBJECTS)
    elsewhere = _client(valid.secret, address="10.0.0.7").get(SUBJECTS)

    assert [r.status_code for r in refusals] == [401, 401, 401, 401, 429]
    assert locked.status_code == 429
    assert locked["Retry-After"] == str(15 * 60)
    body = locked.json()
    assert body["code"] == "locked_out"
    assert body["fields"] == {}
    assert body["message"].startswith("Too many failed attempts. Try again after")
    assert elsewhere.status_code == 200
    assert AccessFailureLog.objects.filter(ip_address="10.0.0.66", username=None).count() == 5


def test_a_token_lockout_ends_after_the_cool_off(world, clock):
    valid = token_issue(user=world.applicant, name="t", by=None)
    for _n in range(5):
        _client("0" * 40).get(SUBJECTS)

    clock.shift(dt.timedelta(minutes=15, seconds=1))

    assert _client(valid.secret).get(SUBJECTS).status_code == 200


def test_wrong_tokens_on_the_credit_check_lock_the_address_out(world, calling_system, clock):
    _system, secret = calling_system
    url = f"/api/v1/check/{world.subject.code}/"
    params = {"purpose": "approval", "reason": "case 1"}
    refusals = [_client("f" * 40).get(url, params) for _n in range(5)]

    locked = _client(secret).get(url, params)
    clock.shift(dt.timedelta(minutes=15, seconds=1))
    later = _client(secret).get(url, params)

    assert [r.status_code for r in refusals] == [401, 401, 401, 401, 429]
    assert locked.status_code == 429
    assert locked.json()["code"] == "locked_out"
    assert locked["Retry-After"] == str(15 * 60)
    assert later.status_code == 200
    assert CheckQuery.objects.count() == 1  # only the answered check is logged


def test_the_credit_check_refuses_expired_and_revoked_tokens(world, calling_system, clock):
    _system, secret = calling_system
    url = f"/api/v1/check/{world.subject.code}/"
    params = {"purpose": "approval", "reason": "case 1"}
    assert _client(secret).get(url, params).status_code == 200
    token = ApiToken.objects.get()
    assert token.last_used_at == START

    token_revoke(token=token, by=None, reason="system retired")
    revoked = _client(secret).get(url, params)

    assert revoked.status_code == 401
    assert CheckQuery.objects.count() == 1
