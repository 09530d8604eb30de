# A record change notice points at its webhook's outbox message without a database constraint:
# the outbox is partitioned by month on PostgreSQL (notifications 0006, ADR 0035), and a
# foreign key cannot point at a partitioned table's (id, created_at) key.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("credit", "0013_record_histories_partitioned_by_month"),
        ("notifications", "0005_inbox_and_delivery_log_partitioned_by_month"),
    ]

    operations = [
        migrations.AlterField(
            model_name="recordchangenotice",
            name="webhook",
            field=models.OneToOneField(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="record_change_notice",
                to="notifications.outboxmessage",
            ),
        ),
    ]
