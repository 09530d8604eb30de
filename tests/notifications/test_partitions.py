"""On PostgreSQL the inbox, the outbox and its delivery log are partitioned by month (ADR 0035):
a row lands in the partition of its month, one dated where no partition exists does not fail,
a key stays written once across months, partitions made later keep the per-partition unique
keys, and the migration's reverse gives the keys back as table-wide constraints."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from directory.partitions.models import RetentionPeriod
from directory.partitions.schema import table_partition, table_unpartition
from directory.partitions.selectors import managed_tables, partitions_of
from directory.partitions.services import table_maintain
from notifications.models import Channel, DeliveryAttempt, Notification, OutboxMessage
from notifications.services.inbox import notification_send
from notifications.services.outbox import outbox_enqueue
from tests.factories import UserFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="partitions are PostgreSQL's (pg_partman)"
)

INBOX = Notification._meta.db_table
OUTBOX = OutboxMessage._meta.db_table
DELIVERIES = DeliveryAttempt._meta.db_table


def partition_of(table: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT tableoid::regclass::text FROM {table} WHERE id = %s",  # noqa: S608
            [pk],
        )
        return cursor.fetchone()[0]


def unique_keys(partition: str) -> set[str]:
    """The columns of each unique index of a partition other than its primary key."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i"
            " WHERE i.indrelid = %s::regclass AND i.indisunique AND NOT i.indisprimary",
            [partition],
        )
        return {d[d.index(" USING ") + 1 :] for (d,) in cursor.fetchall()}


def test_the_inbox_outbox_and_delivery_log_are_partitioned_with_their_periods(db):
    assert {INBOX, OUTBOX, DELIVERIES} <= set(managed_tables())
    periods = {p.table: p for p in RetentionPeriod.objects.filter(table__in=[INBOX, OUTBOX])}
    assert (periods[INBOX].months, periods[OUTBOX].months) == (24, 3)
    assert RetentionPeriod.objects.get(table=DELIVERIES).months == 3
    for period in periods.values():
        assert period.legal_basis_zh_hans.startswith("待本市法制审核确认的默认值")
        assert period.legal_basis_en.startswith("Default pending the city's legal review")


def test_a_message_its_email_and_its_attempt_land_in_the_partition_of_their_month(db):
    user = UserFactory(email="reg@example.test")
    notification = notification_send(recipient=user, key="k:1", subject="S", body="B")
    email = OutboxMessage.objects.get(key=f"notification:{notification.pk}:email")
    attempt = DeliveryAttempt.objects.create(
        message=email, number=1, at=timezone.now(), outcome=DeliveryAttempt.Outcome.FAILED
    )

    month = f"{timezone.now():%Y_%m}"
    assert partition_of(INBOX, notification.pk) == f"{INBOX}_p{month}"
    assert partition_of(OUTBOX, email.pk) == f"{OUTBOX}_p{month}"
    assert partition_of(DELIVERIES, attempt.pk) == f"{DELIVERIES}_p{month}"
    assert list(email.deliveries.all()) == [attempt]  # found by message on every partition


def test_an_attempt_dated_where_no_partition_exists_is_kept_in_the_default(db):
    user = UserFactory()
    message, _new = outbox_enqueue(
        key="k:far", channel=Channel.INAPP, recipient=user, subject="S", body="B", language="en"
    )

    attempt = DeliveryAttempt.objects.create(
        message=message, number=1, at=datetime(2036, 5, 4, tzinfo=UTC), outcome="sent"
    )

    assert partition_of(DELIVERIES, attempt.pk) == f"{DELIVERIES}_default"


def test_a_key_first_written_in_an_earlier_month_is_not_written_again(db):
    # given a notification (and its e-mail) written in a month long past, in its own partition
    user = UserFactory(email="reg@example.test")
    first = notification_send(recipient=user, key="k:once", subject="S", body="B")
    Notification.objects.filter(pk=first.pk).update(created_at=datetime(2024, 3, 9, tzinfo=UTC))
    table_maintain(table=INBOX, retention_months=None, premake=4)
    assert partition_of(INBOX, first.pk) == f"{INBOX}_p2024_03"

    # when the same event notifies again this month
    again = notification_send(recipient=user, key="k:once", subject="S again", body="B")

    # then nothing new is written: the first is returned
    assert again.pk == first.pk
    assert Notification.objects.filter(key="k:once").count() == 1
    assert OutboxMessage.objects.filter(recipient=user).count() == 1


def test_a_key_is_unique_within_its_partition_whoever_writes_it(db):
    user = UserFactory()
    outbox_enqueue(
        key="k:dup", channel=Channel.INAPP, recipient=user, subject="S", body="B", language="en"
    )

    duplicate = OutboxMessage(
        key="k:dup",
        channel=Channel.INAPP,
        recipient=user,
        language="en",
        next_attempt_at=timezone.now(),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        OutboxMessage.objects.bulk_create([duplicate])


def test_partitions_made_ahead_keep_the_unique_keys(db):
    before = {p.name for p in partitions_of(OUTBOX)}

    upkeep = table_maintain(table=OUTBOX, retention_months=3, premake=8)

    made = set(upkeep.created) - before
    assert made
    for name in made:
        assert unique_keys(name) == {"USING btree (key)"}
    for name in table_maintain(table=DELIVERIES, retention_months=3, premake=8).created:
        assert unique_keys(name) == {
            "USING btree (message_id, number)",
            "USING btree (message_id) WHERE ((outcome)::text = 'sent'::text)",
        }


def test_unpartitioned_the_inbox_keeps_its_rows_and_its_key_constraint(db):
    user = UserFactory()
    rows = [
        notification_send(recipient=user, key=f"k:{n}", subject="S", body="B") for n in range(2)
    ]

    with connection.schema_editor() as editor:
        table_unpartition(editor, table=INBOX)
    assert partitions_of(INBOX) == []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'u'",
            [INBOX],
        )
        assert cursor.fetchall() == [("notifications_notification_key_key",)]
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.bulk_create([Notification(recipient=user, key="k:0", subject="S")])

    with connection.schema_editor() as editor:
        table_partition(editor, table=INBOX, column="created_at", per_partition_unique=True)
    assert sorted(Notification.objects.values_list("pk", flat=True)) == [r.pk for r in rows]
    assert unique_keys(f"{INBOX}_default") == {"USING btree (key)"}
