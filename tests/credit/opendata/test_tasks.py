"""The daily CSV of the open data feed: built once per finished day by the hourly job, from
the first day of the log, streamed to its file with memory that does not grow with the rows,
never rewritten by a later run, and discarded for a rebuild when a subject is withheld."""

from __future__ import annotations

import datetime as dt
import tracemalloc
from datetime import date

import pytest
import time_machine
from django.conf import settings

from credit.opendata.models import OpenDataEvent
from credit.opendata.selectors import open_data_day_file_paths
from credit.opendata.services import open_data_day_build, open_data_days_build
from credit.opendata.tasks import open_data_days_build_task
from credit.record.services.publicity import breach_publication_end_due
from tests.credit.opendata.conftest import SHANGHAI, TODAY, at, general_breach

NEXT_DAY = TODAY + dt.timedelta(days=1)


def _files(root) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(root.iterdir()) if p.name.startswith("events")}


def test_the_job_is_scheduled_hourly():
    [entry] = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "credit.opendata.tasks.open_data_days_build_task"
    ]
    assert entry["schedule"] == dt.timedelta(hours=1)


def test_a_day_is_built_once_after_its_grace_and_a_rerun_changes_no_byte(world, open_data_root):
    with time_machine.travel(at(TODAY), tick=False):
        general_breach(world.subject, world.regulator)
    grace = dt.timedelta(minutes=settings.OPEN_DATA_DAY_GRACE_MINUTES)
    midnight = dt.datetime(NEXT_DAY.year, NEXT_DAY.month, NEXT_DAY.day, tzinfo=SHANGHAI)

    assert open_data_days_build(now=midnight + grace - dt.timedelta(seconds=1)) == 0
    assert not open_data_root.exists() or not list(open_data_root.glob("*.csv"))
    with time_machine.travel(midnight + grace, tick=False):
        assert open_data_days_build_task() == 1
    built = _files(open_data_root)
    assert sorted(built) == [f"events-{TODAY}.csv", f"events-{TODAY}.csv.sig"]
    assert built[f"events-{TODAY}.csv"].count(b"\r\n") == 2  # the header and one event

    with time_machine.travel(midnight + grace, tick=False):
        general_breach(world.subject, world.regulator)  # recorded late on a finished day
    assert open_data_days_build(now=midnight + dt.timedelta(days=3)) == 2  # the next two days
    assert open_data_day_build(day=TODAY) is False
    again = _files(open_data_root)
    assert {name: again[name] for name in built} == built
    assert sorted(again) == sorted(
        f"events-{day}.csv{suffix}"
        for day in (TODAY, NEXT_DAY, NEXT_DAY + dt.timedelta(days=1))
        for suffix in ("", ".sig")
    )


def test_nothing_is_built_before_the_log_has_an_event(db, open_data_root):
    assert open_data_days_build(now=at(TODAY)) == 0
    assert not open_data_root.exists()


def _copies(template: OpenDataEvent, count: int, first_index: int) -> None:
    OpenDataEvent.objects.bulk_create(
        OpenDataEvent(
            kind=OpenDataEvent.Kind.PUBLICATION_SUSPENDED,
            subject_id=template.subject_id,
            record_id=template.record_id,
            effective_on=template.effective_on,
            event=template.event,
            salt=template.salt,
            subject_name=template.subject_name,
            subject_code=template.subject_code,
            subject_salt=template.subject_salt,
            leaf_index=first_index + number,
            checkpoint_id=template.checkpoint_id,
            created_at=template.created_at,
        )
        for number in range(count)
    )


def _peak_building(day: date) -> int:
    open_data_day_file_paths(day=day).signature.unlink(missing_ok=True)
    tracemalloc.start()
    try:
        open_data_day_build(day=day)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_rows_of_a_day(world, open_data_root):
    with time_machine.travel(at(TODAY), tick=False):
        general_breach(world.subject, world.regulator)
    template = OpenDataEvent.objects.get()
    _copies(template, 2_000, first_index=1_000_000)
    small = _peak_building(TODAY)
    small_size = open_data_day_file_paths(day=TODAY).csv.stat().st_size
    _copies(template, 6_000, first_index=2_000_000)

    large = _peak_building(TODAY)

    assert open_data_day_file_paths(day=TODAY).csv.stat().st_size > 3.9 * small_size
    assert large < 1.25 * small, (small, large)


def test_withholding_a_subject_discards_its_built_days_for_a_rebuild_without_the_name(
    world, open_data_root, django_capture_on_commit_callbacks
):
    subject = world.subject
    with time_machine.travel(at(TODAY), tick=False):
        ended = general_breach(subject, world.regulator)
    open_data_days_build(now=at(NEXT_DAY))
    path = open_data_day_file_paths(day=TODAY).csv
    assert subject.name in path.read_bytes().decode("utf-8-sig")

    with django_capture_on_commit_callbacks(execute=True):
        breach_publication_end_due(on=ended.publicity_max_until)

    assert not path.exists()
    assert not open_data_day_file_paths(day=TODAY).signature.exists()
    open_data_days_build(now=at(NEXT_DAY))
    assert subject.name not in path.read_bytes().decode("utf-8-sig")


def test_a_days_events_are_read_from_the_recording_time_index(db):
    """A day's file costs the day's events, not the whole log: the read is a range of the
    ``open_data_recorded`` index (whole scans priced out, as the planner would on a long log)."""
    from django.db import connection

    from credit.opendata.selectors import open_data_events

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL plan")
    start = dt.datetime(2026, 12, 1, tzinfo=SHANGHAI)
    query = open_data_events(recorded_from=start, recorded_before=start + dt.timedelta(days=1))
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "open_data_recorded" in plan, plan
