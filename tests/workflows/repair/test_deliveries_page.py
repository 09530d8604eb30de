"""The officers' page of failed deliveries to other systems: the department that recorded
the breach sees the failure and sends it again; another department sees nothing of it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from credit.changes.models import RecordChangeNotice
from credit.changes.services import change_subscription_set, record_change_queue
from notifications.models import OutboxMessage
from tests.factories import BreachFactory, CallingSystemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed(world) -> RecordChangeNotice:
    system = CallingSystemFactory(name="行政审批平台")
    change_subscription_set(system=system, scope="all", url="https://gov.example.cn/hooks")
    [notice] = record_change_queue(
        breach=BreachFactory(department=world.department),
        change=RecordChangeNotice.Change.REPAIRED,
    )
    OutboxMessage.objects.filter(pk=notice.webhook_id).update(
        status=OutboxMessage.Status.DEAD, attempts=8, last_error="The receiver answered 410"
    )
    return notice


def _client(user, language="en") -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    return client


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_department_sees_its_failed_delivery_and_sends_it_again(world, failed, language):
    client = _client(world.regulator, language)
    page = client.get("/regulator/credit/deliveries/")
    assert page.status_code == 200
    assert "行政审批平台" in page.content.decode() and "410" in page.content.decode()
    sent = client.post(f"/regulator/credit/deliveries/{failed.pk}/resend/")
    assert sent.status_code == 302
    failed.refresh_from_db()
    assert failed.resent_by == world.regulator and failed.resent_at <= timezone.now()
    failed.webhook.refresh_from_db()
    assert failed.webhook.status == OutboxMessage.Status.PENDING
    assert 'data-testid="failed-delivery"' not in client.get(sent.url).content.decode()


def test_another_department_neither_sees_nor_resends_it(world, failed):
    client = _client(world.foreign_regulator)
    page = client.get("/regulator/credit/deliveries/").content.decode()
    assert 'data-testid="failed-delivery"' not in page
    assert client.post(f"/regulator/credit/deliveries/{failed.pk}/resend/").status_code == 404
    failed.webhook.refresh_from_db()
    assert failed.webhook.status == OutboxMessage.Status.DEAD


def test_someone_without_a_department_is_refused(world, failed):
    assert _client(world.applicant).get("/regulator/credit/deliveries/").status_code == 403
