"""The beat runs the sweep task by its name."""

from __future__ import annotations

from django.conf import settings

from commitments.obligations.tasks import obligation_warnings_sweep_task


def test_the_beat_runs_the_sweep_task():
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-obligation-warnings"]

    assert (
        entry["task"]
        == obligation_warnings_sweep_task.name
        == ("commitments.obligations.tasks.obligation_warnings_sweep_task")
    )
