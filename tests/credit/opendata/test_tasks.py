"""The daily CSV of the open data feed: built once per finished day by the hourly job, from
the first day of the log, streamed to its file with memory that does not grow with the rows,
never rewritten by a later run, and discarded for a rebuild when a subject is withheld."""

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


def _built_day_naming(world):
    """A published record of the world's subject today, and today's built CSV, which names
    the subject."""
    with time_machine.travel(at(TODAY), tick=False):
        ended = general_breach(world.subject, world.regulator)
    open_data_days_build(now=at(NEXT_DAY))
    path = open_data_day_file_paths(day=TODAY).csv
    assert world.subject.name in path.read_bytes().decode("utf-8-sig")
    return ended, path


def test_withholding_a_subject_discards_its_built_days_for_a_rebuild_without_the_name(
    world, open_data_root, django_capture_on_commit_callbacks
):
    subject = world.subject
    ended, path = _built_day_naming(world)

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


def _signed_by_the_seal(day: date) -> bool:
    """Whether the day's stored signature verifies over exactly its stored CSV."""
    from credit.opendata.selectors import open_data_day_signature
    from credit.opendata.services import KEY_HEADER, SIGNATURE_HEADER, open_data_certificates

    stored = open_data_day_file_paths(day=day)
    signature = open_data_day_signature(stored)
    seal = x509.load_pem_x509_certificates(open_data_certificates())[0]
    fingerprint = seal.fingerprint(hashes.SHA256()).hex()
    try:
        seal.public_key().verify(
            base64.b64decode(signature[SIGNATURE_HEADER]),
            stored.csv.read_bytes(),
            ec.ECDSA(hashes.SHA256()),
        )
    except InvalidSignature:
        return False
    return signature[KEY_HEADER].replace(":", "").lower() == fingerprint


def test_a_withholding_whose_discard_never_ran_is_reconciled_by_the_next_hourly_run(
    world, open_data_root, django_capture_on_commit_callbacks
):
    # Given a built day naming a subject
    subject = world.subject
    ended, path = _built_day_naming(world)

    # When its withholding commits and the process dies before discarding the day's files
    # (the commit's callbacks are captured and never run)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        breach_publication_end_due(on=ended.publicity_max_until)
    assert callbacks  # the discard that never ran
    assert subject.name in path.read_bytes().decode("utf-8-sig")

    # Then the next hourly run rebuilds the day without the name, under a new signature
    assert open_data_days_build(now=at(NEXT_DAY)) == 1
    assert subject.name not in path.read_bytes().decode("utf-8-sig")
    assert _signed_by_the_seal(TODAY)
    # and the run after it leaves the rebuilt day alone (the file reads through the
    # withholding)
    rebuilt = _files(open_data_root)
    assert open_data_days_build(now=at(NEXT_DAY)) == 0
    assert _files(open_data_root) == rebuilt


def test_a_day_built_just_before_a_withholding_committed_is_rebuilt_by_the_next_run(
    world, open_data_root, django_capture_on_commit_callbacks, monkeypatch
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
    stored = open_data_day_file_paths(day=TODAY).signature.read_bytes()
    assert b"Chengnuo-Built-Through-Leaf: %d\r\n" % (withholding.leaf_index - 1) in stored

    # When the hourly job runs, then the day is built again, reading through the withholding
    assert open_data_days_build(now=at(NEXT_DAY)) == 1
    stored = open_data_day_file_paths(day=TODAY).signature.read_bytes()
    assert b"Chengnuo-Built-Through-Leaf: %d\r\n" % withholding.leaf_index in stored
    assert _signed_by_the_seal(TODAY)


def test_a_day_built_before_its_files_said_how_far_they_read_is_rebuilt_once_if_withheld(
    world, open_data_root, django_capture_on_commit_callbacks
):
    # Given a day with a withheld event, built by an earlier version (no position line)
    with time_machine.travel(at(TODAY), tick=False):
        ended = general_breach(world.subject, world.regulator)
    with django_capture_on_commit_callbacks(execute=True):
        breach_publication_end_due(on=ended.publicity_max_until)
    open_data_days_build(now=at(NEXT_DAY))
    signature = open_data_day_file_paths(day=TODAY).signature
    lines = signature.read_text(encoding="ascii").splitlines(keepends=True)
    signature.unlink()
    signature.write_text("".join(lines[:2]), encoding="ascii")

    # When the hourly job runs twice, then the day is rebuilt once
    assert open_data_days_build(now=at(NEXT_DAY)) == 1
    assert open_data_days_build(now=at(NEXT_DAY)) == 0
    assert _signed_by_the_seal(TODAY)
