"""Open verification tasks loaded straight into the tables, for lists with many rows."""

from __future__ import annotations

import datetime

from django.utils import timezone
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS

from workflows.verification.flows import InformCommitFlow
from workflows.verification.models import TaskPriority, VerificationTaskIndex


def bulk_open_tasks(commitment, count: int, *, owner=None, start=None, **overrides) -> list[int]:
    """Add ``count`` open verify tasks like ``commitment``'s, straight into the tables."""
    start = start or timezone.now() + datetime.timedelta(days=1)
    processes = Process.objects.bulk_create(
        [Process(flow_class=InformCommitFlow, status="NEW") for _ in range(count)]
    )
    tasks = Task.objects.bulk_create(
        [
            Task(
                process=process,
                flow_task=InformCommitFlow.verify,
                flow_task_type="HUMAN",
                status=STATUS.ASSIGNED if owner else STATUS.NEW,
                owner=owner,
            )
            for process in processes
        ]
    )
    template = commitment.template
    rows = []
    for position, task in enumerate(tasks):
        values = {
            "task": task,
            "process_id": task.process_id,
            "commitment": commitment,
            "department_id": commitment.department_id,
            "owner": owner,
            "due_at": start + datetime.timedelta(minutes=position),
            "priority": TaskPriority.NORMAL,
            "matter_id": template.matter_id,
            "region_id": commitment.region_id,
            "risk_grade": "B",
            "method": template.verification_method,
            "reference": f"BULK{position:08d}",
            "subject_code": commitment.subject.code,
            "subject_name": f"批量公司{position}",
            "template_title": template.title,
            "created_at": timezone.now(),
        }
        values.update(overrides)
        rows.append(VerificationTaskIndex(**values))
    VerificationTaskIndex.objects.bulk_create(rows)
    return [task.pk for task in tasks]
