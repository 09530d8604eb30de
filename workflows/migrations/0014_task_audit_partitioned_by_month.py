# PostgreSQL: the verification tasks' audit (who held a task, from whom, to whom, why)
# partitioned by month of its time, managed by pg_partman, with its legal retention period as
# data (ADR 0035). On SQLite only the period's row is added.

from django.db import migrations

from directory.partitions.schema import partitioned_by_month

TABLE = "workflows_taskauditentry"
RETENTION = {
    "months": 120,
    "legal_basis": (
        "Default pending the city's legal review: ten years, the shorter fixed term for an"
        " agency's working records in 《机关文件材料归档范围和文书档案保管期限规定》"
        "（国家档案局令第8号）."
    ),
}


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0013_spot_check_draw_kept_and_cancel_audit"),
        ("directory", "0007_retention_periods_and_pg_partman"),
    ]

    operations = [partitioned_by_month(tables=(TABLE,), column="at", retention=RETENTION)]
