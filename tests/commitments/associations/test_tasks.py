"""A real worker killed mid-file: the next worker continues where it stopped, and no row is
imported twice (PostgreSQL: the workers are other processes and must see the test's rows)."""

from __future__ import annotations

import datetime
import os
import signal
import uuid

import pytest
from django.conf import settings
from django.db import connection

from commitments.associations.models import BulkIssue
from commitments.associations.tasks import bulk_issue_process_task
from commitments.lifecycle.models import Commitment
from config import celery_app
from tests.commitments.associations.conftest import csv_bytes, member_row, upload
from tests.factories import SubjectFactory
from tests.processes import start, stop, wait_for, worker_command

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ROWS = 600


def _worker(queue: str, media, log):
    database = connection.settings_dict
    return start(
        worker_command(queue=queue),
        env={
            "DJANGO_SETTINGS_MODULE": "tests.config.worker_settings",
            "CHENGNUO_TEST_DATA_DIR": str(media.parent),
            "DATABASE_URL": (
                f"postgres://{database['USER'] or 'postgres'}@{database['HOST'] or '127.0.0.1'}:"
                f"{database['PORT'] or 5432}/{database['NAME']}"
            ),
            "DATABASE_CONN_MAX_AGE": "0",
            "CHENGNUO_TEST_QUEUE": queue,
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "ASSOCIATION_BULK_CHUNK_ROWS": "10",
        },
        log=log,
    )


def test_a_worker_killed_mid_file_is_continued_by_the_next_without_a_row_twice(
    guild, settings, tmp_path
):
    if connection.vendor != "postgresql":
        pytest.skip("the worker is another process: needs a database both can open")
    from commitments.associations.services.issue import bulk_issue_upload

    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    subjects = [SubjectFactory(region=guild.association.region) for _n in range(ROWS)]
    for subject in subjects:
        guild.association.members.create(subject=subject, joined_on=datetime.date(2026, 1, 1))
    bulk = bulk_issue_upload(
        by=guild.officer,
        association=guild.association,
        template=guild.template,
        upload=upload(csv_bytes([member_row(s) for s in subjects], encoding="gb18030")),
        original_name="m.csv",
    )
    queue = f"chengnuo-bulk-{uuid.uuid4().hex[:12]}"
    progress = BulkIssue.objects.filter(pk=bulk.pk)

    # Given a worker processing the file, killed (SIGKILL) once some chunks are committed
    first = _worker(queue, media, tmp_path / "first.log")
    try:
        bulk_issue_process_task.apply_async(kwargs={"bulk_issue_id": bulk.pk}, queue=queue)
        wait_for(lambda: progress.get().rows_done >= 30, what="the first chunks", timeout=120)
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=30)
    finally:
        stop(first)
    stopped = progress.get()
    assert stopped.status == "running"
    assert 30 <= stopped.rows_done < ROWS, "the worker finished before it was killed"
    assert stopped.rows.count() == stopped.rows_done  # nothing half done

    # When another worker is given the file again (as the resume sweep does)
    second = _worker(queue, media, tmp_path / "second.log")
    try:
        bulk_issue_process_task.apply_async(kwargs={"bulk_issue_id": bulk.pk}, queue=queue)
        wait_for(lambda: progress.get().status == "done", what="the resumed file", timeout=240)
    finally:
        stop(second)
        celery_app.connection_for_write().default_channel.client.delete(queue)

    # Then every row has exactly one outcome and every member exactly one draft
    done = progress.get()
    assert (done.rows_done, done.issued_count, done.rejected_count) == (ROWS, ROWS, 0)
    assert list(done.rows.values_list("line_number", flat=True)) == list(range(2, ROWS + 2))
    drafts = Commitment.objects.filter(template=guild.template)
    assert drafts.count() == drafts.values("subject").distinct().count() == ROWS
