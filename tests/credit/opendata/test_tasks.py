"""The daily CSV of the open data feed: built once per finished day by the hourly job, from
the first day of the log, streamed into the document store with memory that does not grow
with the rows, never rebuilt by a later run, and discarded for a rebuild when a subject is
withheld (the superseded object deleted from the store)."""

from __future__ import annotations

import base64
import datetime as dt
import tracemalloc
from datetime import date

import pytest
import time_machine
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings

from credit.opendata.models import OpenDataDay, OpenDataDayFile, OpenDataEvent
from credit.opendata.selectors import open_data_day_current
from credit.opendata.services.days import (
    open_data_day_build,
    open_data_days_build,
    open_data_days_discard,
)
from credit.opendata.services.signatures import open_data_certificates
from credit.opendata.tasks import open_data_days_build_task
from credit.record.services.publicity import breach_publication_end_due
from tests.credit.opendata.conftest import (
    SHANGHAI,
    TODAY,
    at,
    general_breach,
    stored_day,
    stored_days,
)

NEXT_DAY = TODAY + dt.timedelta(days=1)


def _objects(store) -> set[str]:
    """The names of the day files' objects in the file system store."""
    return {path.name for path in store.glob("open-data/*/*.csv")}


def test_the_job_is_scheduled_hourly():
    [entry] = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "credit.opendata.tasks.open_data_days_build_task"
    ]
    assert entry["schedule"] == dt.timedelta(hours=1)


def test_a_day_is_built_once_after_its_grace_and_a_rerun_changes_no_byte(world, open_data_store):
    with time_machine.travel(at(TODAY), tick=False):
        general_breach(world.subject, world.regulator)
    grace = dt.timedelta(minutes=settings.OPEN_DATA_DAY_GRACE_MINUTES)
    midnight = dt.datetime(NEXT_DAY.year, NEXT_DAY.month, NEXT_DAY.day, tzinfo=SHANGHAI)

    assert open_data_days_build(now=midnight + grace - dt.timedelta(seconds=1)) == 0
    assert stored_days() == {}
    with time_machine.travel(midnight + grace, tick=False):
        assert open_data_days_build_task() == 1
    built = stored_days()
    assert list(built) == [TODAY]
    assert stored_day(TODAY).count(b"\r\n") == 2  # the header and one event
    assert _objects(open_data_store) == {f"{built[TODAY]}.csv"}

    with time_machine.travel(midnight + grace, tick=False):
        general_breach(world.subject, world.regulator)  # recorded late on a finished day
    assert open_data_days_build(now=midnight + dt.timedelta(days=3)) == 2  # the next two days
    assert open_data_day_build(day=TODAY) is False
    again = stored_days()
    assert again[TODAY] == built[TODAY]
    assert sorted(again) == [TODAY, NEXT_DAY, NEXT_DAY + dt.timedelta(days=1)]
    assert OpenDataDayFile.objects.count() == 3


def test_nothing_is_built_before_the_log_has_an_event(db, open_data_store):
    assert open_data_days_build(now=at(TODAY)) == 0
    assert not OpenDataDay.objects.exists()
    assert not open_data_store.exists()


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
    open_data_days_discard(days={day})
    tracemalloc.start()
    try:
        open_data_day_build(day=day)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_rows_of_a_day(world):
    with time_machine.travel(at(TODAY), tick=False):
        general_breach(world.subject, world.regulator)
    template = OpenDataEvent.objects.get()
    _copies(template, 2_000, first_index=1_000_000)
    small = _peak_building(TODAY)
    small_size = open_data_day_current(day=TODAY).size
    _copies(template, 6_000, first_index=2_000_000)

    large = _peak_building(TODAY)

    assert open_data_day_current(day=TODAY).size > 3.9 * small_size
    assert large < 1.25 * small, (small, large)


def _built_day_naming(world) -> tuple:
    """A published record of the world's subject today, and today's built file, which names
    the subject."""
    with time_machine.travel(at(TODAY), tick=False):
        ended = general_breach(world.subject, world.regulator)
    open_data_days_build(now=at(NEXT_DAY))
    assert world.subject.name in stored_day(TODAY).decode("utf-8-sig")
    return ended, open_data_day_current(day=TODAY)


def test_withholding_a_subject_discards_its_built_days_for_a_rebuild_without_the_name(
    world, open_data_store, django_capture_on_commit_callbacks
):
    # Given a built day naming a subject
    subject = world.subject
    ended, naming = _built_day_naming(world)

    # When the record's publication ends (the subject is withheld)
    with django_capture_on_commit_callbacks(execute=True):
        breach_publication_end_due(on=ended.publicity_max_until)

    # Then the day is no longer served and the object naming the subject is gone
    assert open_data_day_current(day=TODAY) is None
    assert _objects(open_data_store) == set()
    naming.refresh_from_db()
    assert naming.discarded_at is not None and naming.purged_at is not None
    # and the next run builds it again without the name, as a new object replacing the old
    open_data_days_build(now=at(NEXT_DAY))
    assert subject.name not in stored_day(TODAY).decode("utf-8-sig")
    rebuilt = open_data_day_current(day=TODAY)
    assert (rebuilt.replaces, rebuilt.sha256 != naming.sha256) == (naming, True)
    assert _objects(open_data_store) == {f"{rebuilt.sha256}.csv"}


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


def _signed_by_the_seal(day: date) -> bool:
    """Whether the day's stored signature verifies over exactly its stored bytes."""
    current = open_data_day_current(day=day)
    seal = x509.load_pem_x509_certificates(open_data_certificates())[0]
    try:
        seal.public_key().verify(
            base64.b64decode(current.signature), stored_day(day), ec.ECDSA(hashes.SHA256())
        )
    except InvalidSignature:
        return False
    return current.certificate_sha256 == seal.fingerprint(hashes.SHA256()).hex()


def test_a_withholding_whose_discard_never_ran_is_reconciled_by_the_next_hourly_run(
    world, open_data_store, django_capture_on_commit_callbacks
):
    # Given a built day naming a subject
    subject = world.subject
    ended, naming = _built_day_naming(world)

    # When its withholding commits and the process dies before discarding the day's files
    # (the commit's callbacks are captured and never run)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        breach_publication_end_due(on=ended.publicity_max_until)
    assert callbacks  # the discard that never ran
    assert subject.name in stored_day(TODAY).decode("utf-8-sig")

    # Then the next hourly run rebuilds the day without the name, under a new signature,
    # and deletes the object that named the subject
    assert open_data_days_build(now=at(NEXT_DAY)) == 1
    assert subject.name not in stored_day(TODAY).decode("utf-8-sig")
    assert _signed_by_the_seal(TODAY)
    rebuilt = open_data_day_current(day=TODAY)
    assert _objects(open_data_store) == {f"{rebuilt.sha256}.csv"}
    assert rebuilt.replaces == naming
    # and the run after it leaves the rebuilt day alone (the file reads through the
    # withholding)
    assert open_data_days_build(now=at(NEXT_DAY)) == 0
    assert open_data_day_current(day=TODAY) == rebuilt


def test_a_day_built_just_before_a_withholding_committed_is_rebuilt_by_the_next_run(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    # Given a day whose build read the log just before a withholding committed: it reads
    # its position before the withholding's leaf (as a concurrent build would), and the
    # withholding's discard ran before the build wrote its files
    from credit.opendata import selectors

    subject = world.subject
    with time_machine.travel(at(TODAY), tick=False):
        ended = general_breach(subject, world.regulator)
    with django_capture_on_commit_callbacks(execute=True):
        breach_publication_end_due(on=ended.publicity_max_until)
    withholding = OpenDataEvent.objects.get(kind=OpenDataEvent.Kind.SUBJECT_WITHHELD)
    monkeypatch.setattr(selectors, "open_data_last_leaf", lambda: withholding.leaf_index - 1)
    open_data_day_build(day=TODAY)
    monkeypatch.undo()
    assert open_data_day_current(day=TODAY).built_through == withholding.leaf_index - 1

    # When the hourly job runs, then the day is built again, reading through the withholding
    assert open_data_days_build(now=at(NEXT_DAY)) == 1
    assert open_data_day_current(day=TODAY).built_through == withholding.leaf_index
    assert _signed_by_the_seal(TODAY)


def test_a_day_built_before_its_files_said_how_far_they_read_is_rebuilt_once_if_withheld(
    world, django_capture_on_commit_callbacks
):
    # Given a day with a withheld event, imported from an earlier version's build that did
    # not say how far it read the log
    with time_machine.travel(at(TODAY), tick=False):
        ended = general_breach(world.subject, world.regulator)
    with django_capture_on_commit_callbacks(execute=True):
        breach_publication_end_due(on=ended.publicity_max_until)
    open_data_days_build(now=at(NEXT_DAY))
    OpenDataDayFile.objects.filter(day__day=TODAY).update(built_through=None)

    # When the hourly job runs twice, then the day is rebuilt once
    assert open_data_days_build(now=at(NEXT_DAY)) == 1
    assert open_data_days_build(now=at(NEXT_DAY)) == 0
    assert _signed_by_the_seal(TODAY)
