"""Indexes viewflow's own tables lack, for our inbox/queue pages and the timer sweep.

viewflow's models are not ours to change, so the indexes are plain SQL (valid on PostgreSQL
and SQLite) and are dropped again on reversal.
"""

from django.db import migrations

INDEXES = {
    "workflows_task_flow_task_status": "viewflow_task (flow_task, status)",
    "workflows_task_owner_status": "viewflow_task (owner_id, status)",
    "workflows_task_timer_due": "viewflow_task (flow_task_type, status, scheduled)",
    "workflows_process_flow_status": "viewflow_process (flow_class, status)",
}


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0001_initial"),
        ("viewflow", "0015_task_scheduled"),
    ]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX IF NOT EXISTS {name} ON {target}",
            reverse_sql=f"DROP INDEX IF EXISTS {name}",
        )
        for name, target in INDEXES.items()
    ]
