# PostgreSQL: the register's entries (the transparency log's leaves) partitioned by month of
# created, managed by pg_partman (ADR 0035), with no retention period: they are kept for good.
# Every inclusion and consistency proof needs every leaf appended before it, so no partition is
# ever dropped; partitioning lets indexes and VACUUM work a month at a time. The complete
# subtrees (signing_lognode) have no time and stay one table. On SQLite only the period's row
# is added.

from django.db import migrations

from directory.partitions.bases import kept_for_good
from directory.partitions.schema import partitioned_by_month

RETENTION = kept_for_good(
    chinese=(
        "永久保存，从不删除：登记簿条目构成透明日志（RFC 9162 式默克尔树），每一个包含证明和"
        "一致性证明都需要在它之前追加的每一个条目，删除任何一个条目都会使已发布的检查点无法验证。"
        "按月分区只为让索引维护和清理逐月进行。"
    ),
    english=(
        "Kept for good, never dropped: the register's entries are the transparency log (an"
        " RFC 9162 style Merkle tree); every inclusion and consistency proof needs every entry"
        " appended before it, and dropping one would make the published checkpoints"
        " unverifiable. The monthly partitions only let index upkeep and vacuuming work a month"
        " at a time."
    ),
)


class Migration(migrations.Migration):
    dependencies = [
        ("signing", "0001_initial"),
        ("directory", "0009_retention_period_may_keep_for_good"),
    ]

    operations = [
        partitioned_by_month(
            tables=("signing_logleaf",), column="created", retention=RETENTION, key="index"
        )
    ]
