"""The API of record changes: subscribe (bad URLs refused in the envelope), and the pull feed
by cursor: a bad cursor says why and loses nothing; a good one acknowledges delivery."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from credit.changes.models import ChangeSubscription, RecordChangeNotice
from credit.changes.services import record_change_queue
from tests.factories import BreachFactory, CallingSystemFactory, CheckQueryFactory, UserFactory

pytestmark = pytest.mark.django_db

REPAIRED = RecordChangeNotice.Change.REPAIRED


@pytest.fixture
def system():
    return CallingSystemFactory()


@pytest.fixture
def client(system, api_as, english) -> APIClient:
    return api_as(system.user)


def _notices(system, count: int) -> list[RecordChangeNotice]:
    notices = []
    for _index in range(count):
        breach = BreachFactory()
        CheckQueryFactory(calling_system=system, subject=breach.subject)
        notices += record_change_queue(breach=breach, change=REPAIRED)
    return notices


def test_subscribe_shows_the_secret_once(client):
    made = client.put(
        "/api/v1/changes/subscription/",
        {"scope": "all", "url": "https://gov.example.cn/hooks"},
        format="json",
    )
    assert made.status_code == 200, made.json()
    assert made.json()["secret"].startswith("whsec_")
    read = client.get("/api/v1/changes/subscription/").json()
    assert read == {"scope": "all", "url": "https://gov.example.cn/hooks"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"scope": "all", "url": "file:///etc/passwd"}, "url"),
        ({"scope": "all", "url": "http://a\x00b/"}, "url"),
        ({"scope": "everything", "url": ""}, "scope"),
        ({"url": "https://gov.example.cn/"}, "scope"),
    ],
)
def test_a_bad_subscription_is_refused_in_the_envelope_and_changes_nothing(client, body, field):
    refused = client.put("/api/v1/changes/subscription/", body, format="json")
    assert refused.status_code == 400
    assert set(refused.json()) >= {"code", "message", "fields"}
    assert field in refused.json()["fields"]
    assert not ChangeSubscription.objects.exists()


def test_only_a_calling_system_may_subscribe_or_read_the_feed(api_as, english):
    other = api_as(UserFactory())
    assert other.get("/api/v1/changes/feed/").status_code == 403
    refused = other.put("/api/v1/changes/subscription/", {"scope": "all"}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"


def test_the_feed_pages_by_cursor_and_a_read_past_a_change_delivers_it(client, system):
    first, second, third = _notices(system, 3)
    page = client.get("/api/v1/changes/feed/", {"limit": 2}).json()
    assert [item["cursor"] for item in page["items"]] == [first.pk, second.pk]
    assert page["has_more"] and page["next_cursor"] == second.pk
    assert not RecordChangeNotice.objects.filter(delivered_at__isnull=False).exists()
    rest = client.get("/api/v1/changes/feed/", {"cursor": page["next_cursor"]}).json()
    assert [item["id"] for item in rest["items"]] == [f"record-change:{third.pk}"]
    assert not rest["has_more"]
    delivered = RecordChangeNotice.objects.filter(delivered_by="feed")
    assert set(delivered.values_list("pk", flat=True)) == {first.pk, second.pk}


@pytest.mark.parametrize("cursor", ["abc", "-1", "1.5", "99999999", "²", "9" * 40])
def test_a_bad_cursor_says_why_and_acknowledges_nothing(client, system, cursor):
    _notices(system, 2)
    refused = client.get("/api/v1/changes/feed/", {"cursor": cursor})
    assert refused.status_code == 400
    assert refused.json()["code"] == "invalid" and "cursor" in refused.json()["fields"]
    assert not RecordChangeNotice.objects.filter(delivered_at__isnull=False).exists()
    assert len(client.get("/api/v1/changes/feed/").json()["items"]) == 2


def test_a_bad_limit_is_refused(client):
    refused = client.get("/api/v1/changes/feed/", {"limit": "501"})
    assert refused.status_code == 400 and "limit" in refused.json()["fields"]
