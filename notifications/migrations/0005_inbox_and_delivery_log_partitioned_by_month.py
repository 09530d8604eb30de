# PostgreSQL: the in-application inbox (by month of created_at) and the delivery log (by month
# of at) partitioned by month, managed by pg_partman, with their retention periods as data (ADR
# 0035). A notification's key and an attempt's (message, number) stay unique in each partition
# (pg_partman's template); the writers ask across partitions first. The delivery log no longer
# has a database constraint to its message: the outbox is partitioned next (0006). On SQLite
# only the periods' rows are added.

import django.db.models.deletion
from django.db import migrations, models

from directory.partitions.bases import OUTBOX_DELIVERY, operational
from directory.partitions.schema import partitioned_by_month

INBOX = operational(
    months=24,
    chinese=(
        "两年。站内消息是提醒，不是记录：它所说的决定、期限和结论保存在承诺、案件的历史和审计中，"
        "按各自的期限保存；用户在两年内都能看到自己的消息。"
    ),
    english=(
        "two years. An inbox message is a reminder, not a record: the decisions, deadlines and"
        " findings it tells of are kept in the history and audit of the commitment or case it"
        " is about, for their own periods; a user sees their messages for two years."
    ),
)




class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0004_webhook_secrets_encrypted_at_rest"),
        ("directory", "0009_retention_period_may_keep_for_good"),
    ]

    operations = [
        migrations.AlterField(
            model_name="deliveryattempt",
            name="message",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="deliveries",
                to="notifications.outboxmessage",
            ),
        ),
        partitioned_by_month(
            tables=("notifications_notification",),
            column="created_at",
            retention=INBOX,
            per_partition_unique=True,
        ),
        partitioned_by_month(
            tables=("notifications_deliveryattempt",),
            column="at",
            retention=OUTBOX_DELIVERY,
            per_partition_unique=True,
        ),
    ]
