"""Query parameters: limit and offset are digits 0-9 only and bounded, a filter given is one
of its choices; otherwise a 400 naming the field."""

from __future__ import annotations

import pytest
from django.test import Client

from config.api_pagination import LIMIT_MAX, OFFSET_MAX


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": "abc"}, "limit"),
        ({"offset": "null"}, "offset"),
        ({"limit": str(2**63)}, "limit"),
        ({"limit": "9" * 30}, "limit"),
        ({"limit": "9" * 5000}, "limit"),
        ({"limit": "²"}, "limit"),
        ({"limit": "٣"}, "limit"),
        ({"limit": "-1"}, "limit"),
        ({"limit": "0"}, "limit"),
        ({"limit": str(LIMIT_MAX + 1)}, "limit"),
        ({"offset": str(OFFSET_MAX + 1)}, "offset"),
        ({"offset": " 1"}, "offset"),
        ({"offset": ""}, "offset"),  # sent empty: not the default, a number that is missing
        ({"limit": ""}, "limit"),
    ],
)
def test_a_bad_page_parameter_is_a_400_naming_it(world, api_as, query, field):
    public = Client().get("/api/v1/portal/commitments/", query)
    own = api_as(world.applicant).get("/api/v1/commitments/", query)

    for response in (public, own):
        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "invalid"
        assert list(body["fields"]) == [field]


def test_a_page_within_bounds_is_served(world, api_as, draft):
    response = api_as(world.applicant).get(
        "/api/v1/commitments/", {"limit": str(LIMIT_MAX), "offset": "0"}
    )
    beyond = api_as(world.applicant).get("/api/v1/commitments/", {"offset": str(OFFSET_MAX)})

    assert response.status_code == 200
    assert [row["reference"] for row in response.json()["results"]] == [draft["reference"]]
    assert beyond.status_code == 200
    assert beyond.json()["results"] == []


def test_the_refusal_speaks_chinese_by_default(world):
    response = Client().get("/api/v1/portal/commitments/", {"limit": "abc"})

    assert response.json()["fields"] == {"limit": ["请输入仅由数字 0-9 组成的整数。"]}


def test_days_of_the_department_list_is_a_strict_integer(world, api_as):
    response = api_as(world.regulator).get("/api/v1/obligations/department/", {"days": "²"})

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["days"]


@pytest.mark.parametrize(
    ("path", "query", "field"),
    [
        ("/api/v1/commitments/", {"status": ""}, "status"),
        ("/api/v1/obligations/", {"status": ""}, "status"),
        ("/api/v1/pledges/", {"status": "nonsense"}, "status"),
        ("/api/v1/obligations/department/", {"due": ""}, "due"),
    ],
)
def test_a_filter_given_is_one_of_its_choices(world, api_as, path, query, field):
    response = api_as(world.regulator).get(path, query)

    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]


def test_the_portal_lists_take_only_current_or_exited(world):
    refused = Client().get("/api/v1/portal/lists/red/", {"show": "0"})
    exited = Client().get("/api/v1/portal/lists/red/", {"show": "exited"})

    assert refused.status_code == 400
    assert list(refused.json()["fields"]) == ["show"]
    assert exited.status_code == 200
