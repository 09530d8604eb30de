# PostgreSQL: the histories of the cases that follow a credit record or a finding (repair
# applications, objections, rectification orders and their evidence) partitioned by month of
# history_date (ADR 0035), with their retention period as data. On SQLite only the periods'
# rows are added. Delegations' and sampling policies' histories stay plain: they are small.

from django.db import migrations

from directory.partitions.bases import archive_thirty_years
from directory.partitions.schema import partitioned_by_month

TABLES = (
    "workflows_historicalrepairapplication",
    "workflows_historicalobjection",
    "workflows_historicalrectification",
    "workflows_historicalrectificationevidence",
)
RETENTION = archive_thirty_years(
    kept_zh="信用修复、异议和整改案件的变更记录",
    kept_en="the changes of repair, objection and rectification cases",
)


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0014_task_audit_partitioned_by_month"),
        ("directory", "0008_retention_legal_basis_in_two_languages"),
    ]

    operations = [
        partitioned_by_month(
            tables=TABLES, column="history_date", retention=RETENTION, key="history_id"
        )
    ]
