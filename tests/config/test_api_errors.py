"""Whatever answers under /api/ — a view, the resolver, Django's 405, a crash — answers in
the envelope ``{"code", "message", "fields"}``, in the request's language."""

from __future__ import annotations

import pytest
from django.test import Client

from credit.check import api as check_api


def envelope(response) -> dict:
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert {"code", "message", "fields"} <= set(body)
    return body


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/pledges/abc/",
        "/api/v1/pledges/-1/",
        "/api/v1/obligations/１２/",
        "/api/v1/tasks/-5/claim/",
        "/api/v1/no-such-thing/",
    ],
)
def test_an_id_that_is_no_number_is_a_404_in_the_envelope(world, api_as, path, english):
    response = (
        api_as(world.applicant).post(path) if "claim" in path else api_as(world.applicant).get(path)
    )

    assert response.status_code == 404
    assert envelope(response) == {
        "code": "not_found",
        "message": "There is nothing at this address.",
        "fields": {},
    }


def test_the_envelope_speaks_chinese_by_default(world):
    response = Client().get("/api/v1/pledges/abc/")

    assert response.status_code == 404
    assert envelope(response)["message"] == "此地址下没有内容。"


def test_trace_is_refused_with_405_and_allow(world, english):
    ping = Client().generic("TRACE", "/api/v1/ping/")
    listing = Client().generic("TRACE", "/api/v1/portal/commitments/")

    assert ping.status_code == 405
    assert ping["Allow"] == "GET, HEAD"
    assert envelope(ping)["code"] == "method_not_allowed"
    assert listing.status_code == 405
    assert "GET" in listing["Allow"]
    assert envelope(listing)["code"] == "method_not_allowed"


def test_a_crash_is_a_500_in_the_envelope_without_a_page(world, monkeypatch, english):
    def crash(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(check_api, "_json", crash)

    response = Client(raise_request_exception=False).get("/api/v1/ping/")

    assert response.status_code == 500
    assert envelope(response) == {
        "code": "server_error",
        "message": "The server failed to answer this request. Please try again later.",
        "fields": {},
    }
    assert b"boom" not in response.content


def test_a_body_of_an_unread_type_is_a_415_in_the_envelope(world, api_as):
    response = api_as(world.applicant).post(
        "/api/v1/commitments/create/", data="x", content_type="text/plain"
    )

    assert response.status_code == 415
    assert envelope(response)["code"] == "unsupported_media_type"


def test_pages_outside_the_api_keep_their_html(world):
    response = Client().get("/portal/no-such-page/")

    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


def test_every_operation_lists_its_refusals_in_the_schema(db):
    schema = Client().get("/api/schema/?format=json").json()
    operations = {
        operation["operationId"]: operation
        for item in schema["paths"].values()
        for operation in item.values()
    }

    assert {"400", "401", "403", "404", "415"} <= set(
        operations["commitments_withdraw"]["responses"]
    )
    assert {"400"} <= set(operations["portal_lists_entries"]["responses"])
    assert "401" not in operations["portal_lists_entries"]["responses"]
    assert "content" not in operations["portal_lists_entries"]["responses"]["414"]
    assert operations["tasks_inbox"]["responses"]["400"]["content"]["application/json"][
        "schema"
    ] == {"$ref": "#/components/schemas/Error"}
