"""The credit app's Celery tasks, registered with the worker: Celery's autodiscovery imports
each app's ``tasks`` module, and each package defines its own.

Import a task from the module that defines it, not from here.
"""

from credit.opendata.tasks import open_data_days_build_task  # noqa: F401
from credit.record.tasks import (  # noqa: F401
    breach_publication_end_due_task,
    list_entries_enter_due_task,
    list_entries_exit_due_task,
)
from credit.reports.tasks import repair_notices_seal_due_task  # noqa: F401
