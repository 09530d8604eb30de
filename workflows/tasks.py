"""Background work of every flow: fire the due workflow timers.

The verification windows (``InformCommitFlow``) and the repair and objection time limits are
viewflow timer rows; one beat entry fires them all. Safe to run as often as beat likes: a
fired timer is no longer due, and viewflow re-checks each timer under its process lock, so
two overlapping runs fire it once.
"""

from celery import shared_task
from viewflow.workflow.timers import fire_due_timers


@shared_task(name="workflows.tasks.workflow_timers_fire_task")
def workflow_timers_fire_task() -> int:
    """Fire every due timer; each escalation path re-checks its domain state itself."""
    return fire_due_timers()
