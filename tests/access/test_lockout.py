"""Brute-force protection on the login page and the admin's login (access.lockout)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.auth import authenticate
from django.test import Client

from access.lockout import (
    client_address,
    is_locked_out,
    login_failed,
    token_lockout,
    token_lockout_asked,
)
from tests.factories import UserFactory

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
PASSWORD = "pw-12345678"
START = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)


def _client(address: str = "10.0.0.1", language: str = "en") -> Client:
    return Client(REMOTE_ADDR=address, headers={"accept-language": language})


def _fail(client: Client, username: str, times: int, url: str = LOGIN) -> None:
    for _n in range(times):
        response = client.post(url, {"username": username, "password": "wrong"})
        assert response.status_code == 200  # the form again, not yet a lockout


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_account_even_with_the_right_one_from_elsewhere(clock):
    # given five wrong passwords for one account, each from another address
    UserFactory(username="regulator")
    for n in range(5):
        _client(f"10.0.1.{n}").post(LOGIN, {"username": "regulator", "password": "wrong"})

    # when the right password comes from yet another address
    response = _client("10.0.2.1").post(LOGIN, {"username": "regulator", "password": PASSWORD})

    # then it is refused with 429, the time to retry and Retry-After; nobody is logged in
    assert response.status_code == 429
    assert response["Retry-After"] == str(15 * 60)
    body = response.content.decode()
    assert "Too many failed attempts. Try again after" in body
    assert "in about 15 minutes" in body
    assert "_auth_user_id" not in response.client.session


@pytest.mark.django_db
def test_five_wrong_passwords_from_one_address_lock_that_address_for_every_account(clock):
    # given five failures from one address, each for another account
    UserFactory(username="applicant")
    attacker = _client("10.0.0.66")
    for n in range(5):
        attacker.post(LOGIN, {"username": f"someone-{n}", "password": "wrong"})

    # when that address tries a real account's right password
    locked = attacker.post(LOGIN, {"username": "applicant", "password": PASSWORD})
    # and another address logs in to the same account
    elsewhere = _client("10.0.0.7").post(LOGIN, {"username": "applicant", "password": PASSWORD})

    # then the address is locked out, the account is not
    assert locked.status_code == 429
    assert elsewhere.status_code == 302


@pytest.mark.django_db
def test_the_lockout_message_says_when_to_retry_in_chinese(clock):
    UserFactory(username="regulator")
    client = _client(language="zh-hans")
    _fail(client, "regulator", 4)

    response = client.post(LOGIN, {"username": "regulator", "password": "wrong"})

    assert response.status_code == 429
    body = response.content.decode()
    assert "登录失败次数过多" in body
    assert "2026年12月7日" in body  # 17:15 in Shanghai: the cool-off after the last failure
    assert "17:15" in body
    assert "Too many" not in body


@pytest.mark.django_db
def test_every_failure_leaves_an_audit_row_and_the_lockout_is_marked(clock):
    UserFactory(username="regulator")
    client = _client("10.0.0.9")

    _fail(client, "regulator", 4)
    client.post(LOGIN, {"username": "regulator", "password": "wrong"})

    failures = AccessFailureLog.objects.filter(username="regulator", ip_address="10.0.0.9")
    assert failures.count() == 5
    assert list(failures.order_by("attempt_time", "pk").values_list("locked_out", flat=True)) == [
        False,
        False,
        False,
        False,
        True,
    ]
    assert failures.first().path_info == LOGIN
    assert AccessAttempt.objects.get(username="regulator").failures_since_start == 5


@pytest.mark.django_db
def test_the_lockout_ends_after_the_cool_off(clock):
    # given a locked-out account
    UserFactory(username="regulator")
    client = _client()
    _fail(client, "regulator", 4)
    assert client.post(LOGIN, {"username": "regulator", "password": "wrong"}).status_code == 429

    # when 14 minutes pass, it is still locked; after 15, the right password logs in
    clock.shift(dt.timedelta(minutes=14))
    still = client.post(LOGIN, {"username": "regulator", "password": PASSWORD})
    clock.shift(dt.timedelta(minutes=15, seconds=1))  # a failure during lockout restarts it
    after = client.post(LOGIN, {"username": "regulator", "password": PASSWORD})

    assert still.status_code == 429
    assert after.status_code == 302


@pytest.mark.django_db
def test_the_admin_login_is_locked_out_too(clock):
    UserFactory(username="admin", is_staff=True, is_superuser=True)
    client = _client()
    for _n in range(5):
        client.post(ADMIN_LOGIN, {"username": "admin", "password": "wrong"})

    response = client.post(ADMIN_LOGIN, {"username": "admin", "password": PASSWORD})

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    failures = AccessFailureLog.objects.filter(path_info=ADMIN_LOGIN, username="admin")
    assert failures.count() == 6  # the right password while locked out is refused and logged
    assert failures.filter(locked_out=True).count() == 2


@pytest.mark.django_db
def test_the_identity_provider_hook_counts_failures_and_locks_out(rf, clock):
    # given five failed verifications at the identity provider's callback
    request = rf.get("/oidc/callback/", REMOTE_ADDR="10.0.0.5")
    outcomes = [
        login_failed(rf.get("/oidc/callback/", REMOTE_ADDR="10.0.0.5"), method="oidc")
        for _n in range(5)
    ]

    # then the fifth locks the address out, and a check before verifying says so
    assert outcomes == [False, False, False, False, True]
    assert is_locked_out(request)
    assert not is_locked_out(rf.get("/oidc/callback/", REMOTE_ADDR="10.0.0.6"))
    assert AccessFailureLog.objects.filter(ip_address="10.0.0.5", username=None).count() == 5


@pytest.mark.django_db
def test_logins_without_a_request_still_work_and_count_nothing():
    # Django's test client's login() and management commands call authenticate() without one.
    user = UserFactory(username="applicant")

    assert authenticate(username="applicant", password=PASSWORD) == user
    assert Client().login(username="applicant", password=PASSWORD)
    assert authenticate(username="applicant", password="wrong") is None
    assert not AccessAttempt.objects.exists()


@pytest.mark.parametrize(
    ("proxies", "forwarded", "address"),
    [
        (0, "203.0.113.9", "10.0.0.1"),  # no proxy: the header is the client's own, ignored
        (1, "198.51.100.7, 203.0.113.9", "203.0.113.9"),  # what the one proxy saw
        (2, "198.51.100.7, 203.0.113.9, 10.9.9.9", "203.0.113.9"),
        (1, "", "10.0.0.1"),
        (1, "not-an-address", "10.0.0.1"),
    ],
)
def test_the_client_address_trusts_only_the_proxies_in_front(
    rf, settings, proxies, forwarded, address
):
    settings.ACCESS_PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_address(request) == address


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded"),
    [
        (0, "10.0.0.1", ""),
        (0, "2001:db8::7", "203.0.113.9"),
        (1, "10.0.0.1", "198.51.100.7, 203.0.113.9"),
        (1, "10.0.0.1", "not-an-address"),
        (0, "", ""),  # no address: no rule, the caller asks axes
    ],
)
def test_a_tokens_lockout_rule_read_once_is_what_axes_gives_for_the_request(
    rf, settings, clock, proxies, remote, forwarded
):
    # given a client, directly or behind proxies
    settings.ACCESS_PROXY_COUNT = proxies

    def request():
        return rf.get("/api/v1/check/x/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)

    # when the rule is taken from the settings read once, and from axes for this request
    once, asked = token_lockout(request()), token_lockout_asked(request())

    # then both give the same address, start of the cool-off and limit
    assert once == asked
    assert once is None or (once.since, once.limit) == (START - dt.timedelta(minutes=15), 5)


def test_a_tokens_lockout_rule_follows_a_change_of_the_settings(rf, settings, clock):
    request = rf.get("/api/v1/check/x/", REMOTE_ADDR="10.0.0.1")
    assert token_lockout(request).limit == 5

    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=30)
    assert token_lockout(request) == token_lockout_asked(request)
    assert (token_lockout(request).limit, token_lockout(request).since) == (
        3,
        START - dt.timedelta(minutes=30),
    )

    # a cool-off that axes asks per request is asked per request
    settings.AXES_COOLOFF_TIME = lambda request: dt.timedelta(minutes=5)
    assert token_lockout(request).since == START - dt.timedelta(minutes=5)

    settings.AXES_LOCKOUT_PARAMETERS = [["ip_address", "user_agent"]]
    assert token_lockout(request) is None
