"""Record changes pushed as signed webhooks through the outbox to a real receiver on
loopback: it fails, recovers and verifies every signature; a silent receiver times out
without holding the worker; refused URLs change nothing."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from credit.changes.models import ChangeSubscription, RecordChangeNotice
from credit.changes.services import (
    change_subscription_set,
    record_change_queue,
    record_change_resend,
)
from credit.errors import CreditError
from notifications.models import DeliveryAttempt, OutboxMessage
from notifications.services.delivery import outbox_deliver_next
from tests.credit.changes.receiver import Receiver, running_receiver, silent_receiver
from tests.factories import (
    BreachFactory,
    CallingSystemFactory,
    CheckQueryFactory,
    SubjectFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

REPAIRED = RecordChangeNotice.Change.REPAIRED


def _deliver_at(moment) -> OutboxMessage | None:
    return outbox_deliver_next(now=moment)


def _subscribed(url: str, *, scope: str = ChangeSubscription.Scope.CHECKED):
    system = CallingSystemFactory()
    _subscription, secret = change_subscription_set(system=system, scope=scope, url=url)
    return system, secret


def test_a_repair_reaches_a_receiver_that_fails_then_recovers_and_every_signature_verifies():
    with running_receiver(Receiver(answers=[503, 500])) as receiver:
        system, receiver.secret = _subscribed("http://placeholder.invalid/")
        change_subscription_set(system=system, scope="checked", url=receiver.url)
        breach = BreachFactory()
        CheckQueryFactory(calling_system=system, subject=breach.subject)

        [notice] = record_change_queue(breach=breach, change=REPAIRED)
        later = timezone.now()
        outcomes = []
        for _attempt in range(3):
            message = _deliver_at(later)
            outcomes.append(message.status)
            later = message.next_attempt_at + timedelta(seconds=1)

    assert outcomes == ["failed", "failed", "sent"]
    assert [r.verdict for r in receiver.received] == ["ok", "ok", "ok"]
    assert [r.answered for r in receiver.received] == [503, 500, 200]
    # One delivery id on every attempt (each attempt signed at its own time).
    assert {r.headers["Chengnuo-Webhook-Id"] for r in receiver.received} == {
        f"record-change:{notice.pk}"
    }
    body = json.loads(receiver.received[-1].body)
    assert (body["type"], body["record"], body["subject"]) == (
        "record.repaired",
        breach.pk,
        breach.subject.code,
    )
    notice.refresh_from_db()
    assert notice.delivered_at is not None and notice.delivered_by == "webhook"
    attempts = DeliveryAttempt.objects.filter(message=notice.webhook)
    assert list(attempts.values_list("outcome", flat=True)) == ["failed", "failed", "sent"]
    assert "503" in attempts.first().error


def test_back_off_grows_between_attempts(settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 30
    with running_receiver(Receiver(answers=[503, 503])) as receiver:
        system, receiver.secret = _subscribed("http://placeholder.invalid/")
        change_subscription_set(system=system, scope="all", url=receiver.url)
        record_change_queue(breach=BreachFactory(), change=REPAIRED)
        first = _deliver_at(timezone.now())
        first_wait = first.next_attempt_at - timezone.now()
        second = _deliver_at(first.next_attempt_at + timedelta(seconds=1))
        second_wait = second.next_attempt_at - timezone.now()
    assert timedelta(seconds=25) < first_wait <= timedelta(seconds=30)
    assert timedelta(seconds=55) < second_wait <= timedelta(seconds=60)


def test_a_receiver_that_never_answers_times_out_and_is_retried(settings):
    settings.WEBHOOK_TIMEOUT = 0.3
    with silent_receiver() as url:
        _system, _secret = _subscribed(url, scope="all")
        [notice] = record_change_queue(breach=BreachFactory(), change=REPAIRED)
        message = _deliver_at(timezone.now())
    assert message.status == OutboxMessage.Status.FAILED
    assert "timed out" in message.last_error
    notice.refresh_from_db()
    assert notice.delivered_at is None


def test_a_receiver_that_refuses_gives_up_at_once_and_an_officer_resends_it():
    with running_receiver(Receiver(answers=[410])) as receiver:
        system, receiver.secret = _subscribed("http://placeholder.invalid/", scope="all")
        change_subscription_set(system=system, scope="all", url=receiver.url)
        [notice] = record_change_queue(breach=BreachFactory(), change=REPAIRED)
        assert _deliver_at(timezone.now()).status == OutboxMessage.Status.DEAD
        officer = UserFactory()
        record_change_resend(notice=notice, by=officer)
        assert _deliver_at(timezone.now()).status == OutboxMessage.Status.SENT
    notice.refresh_from_db()
    assert (notice.resent_by, notice.delivered_by) == (officer, "webhook")
    with pytest.raises(CreditError):  # delivered: nothing to re-send
        record_change_resend(notice=notice, by=officer)


def test_scope_all_hears_of_subjects_it_never_checked_and_checked_only_those_it_did():
    everything, _secret = _subscribed("https://all.example.org/hook", scope="all")
    checked, _secret = _subscribed("https://checked.example.org/hook")
    breach = BreachFactory(subject=SubjectFactory())
    notices = record_change_queue(breach=breach, change=REPAIRED)
    assert [n.calling_system for n in notices] == [everything]
    assert notices[0].webhook.address == "https://all.example.org/hook"
    assert checked.change_notices.count() == 0


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.org/hook", "http://"),
        ("javascript:alert(1)", "http://"),
        ("http:///nohost", "host"),
        ("http://user:pw@example.org/", "password"),
        ("http://127.0.0.1:8000/api/v1/ping/", "platform itself"),
    ],
)
def test_a_webhook_url_that_is_not_http_or_points_at_the_platform_is_refused(
    url, reason, settings, english
):
    settings.SITE_URL = "http://127.0.0.1:8000"
    system = CallingSystemFactory()
    with pytest.raises(CreditError) as refused:
        change_subscription_set(system=system, scope="all", url=url)
    assert refused.value.field == "url" and reason in refused.value.message
    assert not ChangeSubscription.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9000/",
        "http://10.1.2.3/",
        "http://[::1]/",
        "http://localhost/",
        "http://169.254.169.254/",
    ],
)
def test_in_production_loopback_and_private_addresses_are_refused(url, settings, english):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    with pytest.raises(CreditError) as refused:
        change_subscription_set(system=CallingSystemFactory(), scope="all", url=url)
    assert "private" in refused.value.message


def test_a_url_that_became_private_is_refused_at_delivery_without_calling_it(settings):
    with running_receiver(Receiver()) as receiver:
        _subscribed(receiver.url, scope="all")
        record_change_queue(breach=BreachFactory(), change=REPAIRED)
        settings.WEBHOOK_ALLOW_PRIVATE = False
        message = _deliver_at(timezone.now())
    assert message.status == OutboxMessage.Status.DEAD and "private" in message.last_error
    assert receiver.received == []
