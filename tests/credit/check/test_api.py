""" "Check every case": authenticated per calling system, every answered query logged, a
fixed number of queries whatever the record holds."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import TooManyFieldsSent
from django.db import connection
from django.utils import translation
from rest_framework.test import APIClient

from access.models import ApiToken
from access.selectors import token_hash
from credit.check.api import query_values
from credit.check.models import CallingSystem, CheckQuery
from credit.record.models.rules import MeasureType
from credit.record.services.breaches import breach_record
from credit.record.services.lists import list_entries_enter_due
from tests.factories import MatterFactory, api_token_secret

PARAMS = {"purpose": "approval", "reason": "审批案卷 2026-0001"}


def _client(token_key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_key}")
    return client


def _serious_breach(world):
    return breach_record(
        subject_id=world.subject.pk,
        category_code="missed_obligation",
        severity="serious",
        reason="严重逾期",
        by=world.regulator,
    )


def test_a_clean_subject_may_commit_and_the_query_is_logged(world, calling_system):
    system, key = calling_system

    response = _client(key).get(
        f"/api/v1/check/{world.subject.code}/", PARAMS | {"matter": world.matter.code}
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert {k: body[k] for k in ("grade", "black_listed", "red_listed", "measures")} == {
        "grade": "A",
        "black_listed": False,
        "red_listed": False,
        "measures": [],
    }
    assert (body["commitment_allowed"], body["commitment_excluded_by"]) == (True, None)
    assert body["subject"] == {
        "code": world.subject.code,
        "name": world.subject.name,
        "kind": "company",
    }
    query = CheckQuery.objects.get()
    assert body["query"] == query.pk
    assert (query.calling_system, query.subject, query.subject_code) == (
        system,
        world.subject,
        world.subject.code,
    )
    assert (query.matter_code, query.purpose, query.reason) == (
        world.matter.code,
        "approval",
        "审批案卷 2026-0001",
    )
    assert query.answer == {
        "found": True,
        "grade": "A",
        "black_listed": False,
        "red_listed": False,
        "measures": [],
        "commitment_allowed": True,
    }


def test_measures_are_answered_by_purpose(world, calling_system):
    _system, key = calling_system
    _serious_breach(world)
    client = _client(key)

    approval = client.get(f"/api/v1/check/{world.subject.code}/", PARAMS).json()
    bid = client.get(f"/api/v1/check/{world.subject.code}/", PARAMS | {"purpose": "bid"}).json()

    assert sorted(m["code"] for m in approval["measures"]) == [
        "closer_supervision",
        "no_commitment",
        "point_deduction",
    ]
    assert sorted(m["code"] for m in bid["measures"]) == [
        "bid_restriction",
        "no_commitment",
        "point_deduction",
    ]
    assert approval["grade"] == "D"
    assert approval["commitment_allowed"] is False
    # The call names no language: the answer is in the default one, as the type reads there.
    with translation.override(settings.LANGUAGE_CODE):
        exclusion = MeasureType.objects.get(code="no_commitment").name
    assert approval["commitment_excluded_by"] == exclusion
    assert CheckQuery.objects.count() == 2


def test_a_measure_scoped_to_matters_applies_only_to_them(world, calling_system):
    _system, key = calling_system
    other_matter = MatterFactory(code="construction-permit", name="施工许可")
    MeasureType.objects.get(code="closer_supervision").matters.add(other_matter)
    _serious_breach(world)
    client = _client(key)

    food = client.get(
        f"/api/v1/check/{world.subject.code}/", PARAMS | {"matter": world.matter.code}
    ).json()
    construction = client.get(
        f"/api/v1/check/{world.subject.code}/", PARAMS | {"matter": other_matter.code}
    ).json()

    assert "closer_supervision" not in [m["code"] for m in food["measures"]]
    assert "closer_supervision" in [m["code"] for m in construction["measures"]]


def test_a_designated_subject_is_answered_as_black_listed(world, calling_system):
    _system, key = calling_system
    [entry] = _serious_breach(world).list_notices
    list_entries_enter_due(on=entry.enter_not_before)

    body = _client(key).get(f"/api/v1/check/{world.subject.code}/", PARAMS).json()

    assert body["black_listed"] is True
    assert [b["list"] for b in body["black_lists"]] == ["serious-dishonesty"]


def test_without_a_reason_the_check_is_refused_naming_reason_and_nothing_is_logged(
    world, calling_system
):
    _system, key = calling_system

    response = _client(key).get(f"/api/v1/check/{world.subject.code}/", {"purpose": "approval"})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert list(response.json()["fields"]) == ["reason"]
    assert CheckQuery.objects.count() == 0


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"purpose": "curiosity"}, "purpose"),
        ({"reason": "   "}, "reason"),
        ({"matter": "no-such-matter"}, "matter"),
        ({"reason": "案卷\x00"}, "reason"),
        ({"matter": "food\x00"}, "matter"),
    ],
)
def test_bad_check_input_is_refused_with_its_field(world, calling_system, params, field):
    _system, key = calling_system

    response = _client(key).get(f"/api/v1/check/{world.subject.code}/", PARAMS | params)

    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]
    assert CheckQuery.objects.count() == 0


def test_an_unknown_subject_is_a_404_and_the_query_is_logged(world, calling_system):
    _system, key = calling_system

    response = _client(key).get("/api/v1/check/914403001922038217/", PARAMS)

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    query = CheckQuery.objects.get()
    assert (query.subject, query.subject_code, query.answer) == (
        None,
        "914403001922038217",
        {"found": False},
    )


def test_a_user_who_is_no_calling_system_is_refused(world):
    token_key = api_token_secret(world.regulator)

    response = _client(token_key).get(f"/api/v1/check/{world.subject.code}/", PARAMS)

    assert response.status_code == 403
    assert CheckQuery.objects.count() == 0


def test_a_deactivated_calling_system_is_refused(world, calling_system):
    system, key = calling_system
    CallingSystem.objects.filter(pk=system.pk).update(is_active=False)

    response = _client(key).get(f"/api/v1/check/{world.subject.code}/", PARAMS)

    assert response.status_code == 403
    assert CheckQuery.objects.count() == 0


def test_without_a_token_the_check_is_refused(world):
    response = APIClient().get(f"/api/v1/check/{world.subject.code}/", PARAMS)

    assert response.status_code == 401


def test_the_check_runs_the_same_few_queries_whatever_the_record_holds(
    world, calling_system, django_assert_num_queries
):
    # PostgreSQL: one statement (the client's lockout, token, read, grade, log). Elsewhere: the
    # failures from the client's address (access.lockout: a locked-out address must not learn
    # that a guessed token is right), token, read, grade rules (cached per process, but never
    # inside a transaction such as this test's) and log.
    statements = 1 if connection.vendor == "postgresql" else 5
    _system, key = calling_system
    client = _client(key)
    url = f"/api/v1/check/{world.subject.code}/"
    params = PARAMS | {"matter": world.matter.code}
    client.get(url, params)  # warm caches (content types, translations)

    with django_assert_num_queries(statements):
        assert client.get(url, params).status_code == 200
    for _n in range(4):
        _serious_breach(world)
    [entry] = world.subject.credit_list_entries.all()
    list_entries_enter_due(on=entry.enter_not_before)
    with django_assert_num_queries(statements):
        body = client.get(url, params).json()

    assert len(body["measures"]) == 4 * 3
    assert body["black_listed"] is True


def test_ping_is_a_trivial_json_answer(db):
    response = APIClient().get("/api/v1/ping/")

    assert response.status_code == 200
    assert response.json()["ok"] is True


def test_an_unknown_subject_is_logged_with_who_asked_and_why(world, calling_system):
    system, key = calling_system

    response = _client(key).get(
        "/api/v1/check/91440300ma5fnochk3/",
        PARAMS | {"matter": world.matter.code},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 404
    assert response.json() == {
        "code": "not_found",
        "message": "No subject has this identifier.",
        "fields": {},
    }
    query = CheckQuery.objects.get()
    assert (query.calling_system, query.subject, query.subject_code) == (
        system,
        None,
        "91440300MA5FNOCHK3",
    )
    assert (query.matter_code, query.purpose, query.reason, query.answer) == (
        world.matter.code,
        "approval",
        "审批案卷 2026-0001",
        {"found": False},
    )


@pytest.mark.parametrize("header", ["Token not-a-token", "Token", "Token a b"])
def test_a_bad_token_is_a_401_and_nothing_is_logged(world, calling_system, header):
    response = APIClient().get(
        f"/api/v1/check/{world.subject.code}/", PARAMS, HTTP_AUTHORIZATION=header
    )

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert response["WWW-Authenticate"] == "Token"
    assert CheckQuery.objects.count() == 0


def test_a_bad_token_is_told_before_bad_input_and_nothing_is_logged(world):
    response = _client("not-a-token").get(
        f"/api/v1/check/{world.subject.code}/", {"purpose": "curiosity"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 401
    assert response.json()["message"] == "Invalid token."
    assert CheckQuery.objects.count() == 0


def test_the_token_of_a_deactivated_user_is_refused_and_nothing_is_logged(world, calling_system):
    system, key = calling_system
    get_user_model().objects.filter(pk=system.user_id).update(is_active=False)

    response = _client(key).get(
        f"/api/v1/check/{world.subject.code}/", PARAMS, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 401
    assert response.json()["message"] == "User inactive or deleted."
    assert CheckQuery.objects.count() == 0


def test_revoking_a_calling_system_or_its_token_takes_effect_on_the_next_check(
    world, calling_system
):
    system, key = calling_system
    client = _client(key)
    url = f"/api/v1/check/{world.subject.code}/"
    assert client.get(url, PARAMS).status_code == 200

    CallingSystem.objects.filter(pk=system.pk).update(is_active=False)
    deactivated = client.get(url, PARAMS)
    CallingSystem.objects.filter(pk=system.pk).update(is_active=True)
    reactivated = client.get(url, PARAMS)
    ApiToken.objects.filter(key_hash=token_hash(key)).delete()
    token_deleted = client.get(url, PARAMS)

    assert (deactivated.status_code, reactivated.status_code, token_deleted.status_code) == (
        403,
        200,
        401,
    )
    assert deactivated.json()["code"] == "permission_denied"
    assert CheckQuery.objects.count() == 2


def test_the_check_answers_only_get(world, calling_system):
    _system, key = calling_system

    response = _client(key).post(f"/api/v1/check/{world.subject.code}/", PARAMS)

    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert CheckQuery.objects.count() == 0


def test_bad_input_is_answered_in_the_envelope_for_every_field_at_once(world, calling_system):
    _system, key = calling_system

    response = _client(key).get(
        f"/api/v1/check/{world.subject.code}/",
        {"purpose": "curiosity", "reason": "x" * 501, "matter": "m" * 51},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "message": "Some fields need correcting.",
        "fields": {
            "purpose": ['"curiosity" is not a valid choice.'],
            "reason": ["Ensure this field has no more than 500 characters."],
            "matter": ["Ensure this field has no more than 50 characters."],
        },
    }
    assert CheckQuery.objects.count() == 0


def test_the_check_and_ping_share_the_middleware_stack(world, calling_system):
    _system, key = calling_system

    check = _client(key).get(f"/api/v1/check/{world.subject.code}/", PARAMS)
    ping = APIClient().get("/api/v1/ping/")

    for response in (check, ping):
        assert response["Content-Type"] == "application/json"
        assert response["X-Frame-Options"] == "DENY"
        assert response["Content-Language"] == "zh-hans"


def test_a_nul_in_the_identifier_is_dropped_and_the_query_still_logged(world, calling_system):
    _system, key = calling_system

    response = _client(key).get("/api/v1/check/91440300MA5FNOCHK3%00/", PARAMS)

    assert response.status_code == 404
    assert CheckQuery.objects.get().subject_code == "91440300MA5FNOCHK3"


@pytest.mark.parametrize(
    "query",
    [
        "",
        "purpose=approval&reason=%E5%AE%A1%E6%89%B9+2026&matter=",
        "purpose=bid&purpose=approval&reason&matter=a%20b",  # the last value, a bare key
        "reason=%FF%FE&purpose=%E5",  # not UTF-8
        "reason=caf\xe9",  # a raw Latin-1 byte, as a misbehaving client sends it
        "a=1;b=2&&=x&reason=%00",
    ],
)
def test_the_checks_query_is_read_as_request_get_reads_it(rf, query):
    request = rf.get("/api/v1/check/x/")
    request.META["QUERY_STRING"] = query

    values = query_values(request)

    assert values == {key: request.GET.get(key) for key in request.GET}


def test_too_many_query_fields_are_refused_as_request_get_refuses_them(rf, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 2
    request = rf.get("/api/v1/check/x/", {"a": "1", "b": "2", "c": "3"})

    with pytest.raises(TooManyFieldsSent):
        query_values(request)
    with pytest.raises(TooManyFieldsSent):
        request.GET  # noqa: B018
