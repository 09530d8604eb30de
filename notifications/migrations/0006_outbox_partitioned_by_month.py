# PostgreSQL: the outbox partitioned by month of created_at, managed by pg_partman, with its
# retention period as data (ADR 0035): the same operational basis as its delivery log (0005).
# A message's key stays unique in each partition (pg_partman's template); the writers ask
# across partitions first. Nothing points at it in the database any more (notifications 0005,
# credit 0014). On SQLite only the period's row is added.

from django.db import migrations

from directory.partitions.bases import OUTBOX_DELIVERY
from directory.partitions.schema import partitioned_by_month


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0005_inbox_and_delivery_log_partitioned_by_month"),
        ("credit", "0014_change_notice_webhook_without_database_constraint"),
    ]

    operations = [
        partitioned_by_month(
            tables=("notifications_outboxmessage",),
            column="created_at",
            retention=OUTBOX_DELIVERY,
            per_partition_unique=True,
        )
    ]
