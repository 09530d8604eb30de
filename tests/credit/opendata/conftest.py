"""Every kind of open-data event, each written by the real service call that causes it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from commitments.lifecycle.services.withdrawal import commitment_withdraw
from credit.opendata.models import OpenDataDay, OpenDataEvent
from credit.opendata.selectors import open_data_day_open
from credit.opendata.services.days import open_data_days_build
from credit.record.models.breaches import Breach, ListEntry
from credit.record.services.breaches import breach_record
from credit.record.services.lists import list_entries_enter_due, red_list_enter
from credit.record.services.pledge_defaulters import pledge_defaulter_list
from credit.record.services.publicity import breach_publication_end_due, list_entries_exit_due
from credit.record.services.repair import (
    BreachCorrection,
    breach_objection_close,
    breach_objection_mark,
    breach_repair,
    breach_revoke,
)
from directory.models import Subject
from tests.factories import SubjectFactory
from tests.workflows.conftest import submit_commitment

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
TODAY = date(2026, 12, 7)
PERSON_ID = "11010519491231002X"


def at(day: date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


@dataclass
class History:
    """What the scenario did: the records and entries each event must name."""

    company: Subject
    person: Subject
    ended: Breach  # published, then its maximum period passed
    corrected_then_revoked: Breach
    repaired: Breach  # a natural person's, black-listed, then repaired
    red_entry: ListEntry
    black_entry: ListEntry
    defaulter_entry: ListEntry
    withdrawn_reference: str
    suspended_then_resumed: Breach  # a company's, still public after an objection rejected
    person_public: Breach  # a natural person's, still public
    extra: dict = field(default_factory=dict)


def general_breach(subject: Subject, by, *, severity: str = "general") -> Breach:
    return breach_record(
        subject_id=subject.pk,
        category_code="missed_obligation",
        severity=severity,
        reason="逾期未履行承诺",
        by=by,
    ).breach


@pytest.fixture
def person(world) -> Subject:
    return SubjectFactory(kind=Subject.Kind.PERSON, code=PERSON_ID, name="张三丰")


@pytest.fixture
def history(world, person) -> History:
    """Run every service that changes what the public sees, once each."""
    with time_machine.travel(at(TODAY), tick=False):
        ended = general_breach(world.subject, world.regulator)

        red_company = SubjectFactory(name="深圳市守信企业有限公司")
        red_entry = red_list_enter(
            subject_id=red_company.pk, list_code="trustworthy", by=world.supervisor, reason="A级"
        )
        corrected = general_breach(red_company, world.regulator)  # ends the red-list entry

        outcome = breach_record(
            subject_id=person.pk,
            category_code="missed_obligation",
            severity="serious",
            reason="严重逾期",
            by=world.regulator,
        )
        repaired = outcome.breach
        [black_entry] = outcome.list_notices
        list_entries_enter_due(on=black_entry.enter_not_before)
        breach_repair(
            breach_id=repaired.pk,
            by=world.regulator,
            on=black_entry.enter_not_before,
            case="application 1",
        )

        breach_objection_mark(
            breach_id=corrected.pk, by=world.applicant, on=TODAY, case="objection 1"
        )
        breach_objection_close(
            breach_id=corrected.pk,
            back_to=Breach.Status.PUBLISHED,
            by=world.regulator,
            on=TODAY,
            reason="objection upheld in part",
            correction=BreachCorrection(reason="更正后的事实"),
        )
        breach_objection_mark(
            breach_id=corrected.pk, by=world.applicant, on=TODAY, case="objection 2"
        )
        breach_revoke(breach_id=corrected.pk, by=world.regulator, on=TODAY, case="objection 2")

        defaulter = SubjectFactory(name="深圳市失信投标有限公司")
        defaulter_entry = pledge_defaulter_list(
            subject_id=defaulter.pk,
            reason="未缴纳不予退还款项",
            noticed_on=TODAY,
            on=TODAY,
            by=world.regulator,
        )
        commitment = submit_commitment(world)
        commitment_withdraw(commitment=commitment, by=world.applicant, reason="改走一般程序")

    ended.refresh_from_db()
    breach_publication_end_due(on=ended.publicity_max_until)
    defaulter_entry.refresh_from_db()
    list_entries_exit_due(on=defaulter_entry.exit_not_before)
    # Records still public at the end: their items name (or mask) the subject.
    with time_machine.travel(at(ended.publicity_max_until), tick=False):
        resumed = general_breach(world.subject, world.regulator)
        breach_objection_mark(
            breach_id=resumed.pk, by=world.applicant, on=resumed.record_date, case="objection 3"
        )
        breach_objection_close(
            breach_id=resumed.pk,
            back_to=Breach.Status.PUBLISHED,
            by=world.regulator,
            on=resumed.record_date,
            reason="objection rejected",
        )
        person_public = general_breach(person, world.regulator)
    for row in (red_entry, black_entry, defaulter_entry, corrected, repaired, resumed):
        row.refresh_from_db()
    return History(
        company=world.subject,
        person=person,
        ended=ended,
        corrected_then_revoked=corrected,
        repaired=repaired,
        red_entry=red_entry,
        black_entry=black_entry,
        defaulter_entry=defaulter_entry,
        withdrawn_reference=commitment.reference,
        suspended_then_resumed=resumed,
        person_public=person_public,
        extra={
            "red_company": red_company,
            "defaulter": defaulter,
            "applicant": world.applicant,
            "regulator": world.regulator,
        },
    )


@pytest.fixture(autouse=True)
def open_data_store(settings, tmp_path) -> Path:
    """Each test keeps its daily CSV files in a document store of its own (the file system
    backend unless the test asks for ``s3``); returns the store's folder."""
    settings.SIGNING_DOCUMENT_ROOT = str(tmp_path / "documents")
    settings.OPEN_DATA_ROOT = str(tmp_path / "opendata")  # where earlier versions built them
    return tmp_path / "documents"


def stored_day(day: date) -> bytes:
    """The bytes of the day's current file, read back from the document store."""
    opened = open_data_day_open(day=day)
    assert opened is not None, f"{day} is not built"
    with opened.body:
        return opened.body.read()


def stored_days() -> dict[date, str]:
    """The SHA-256 of each day's current file."""
    return dict(
        OpenDataDay.objects.filter(current__isnull=False).values_list("day", "current__sha256")
    )


def build_every_day() -> list[date]:
    """Build the daily CSV of every day up to the last the log recorded events on (the clock
    set to the end of its grace); the days that have events, in order."""
    last = timezone.localdate(OpenDataEvent.objects.aggregate(last=Max("created_at"))["last"])
    midnight = timezone.make_aware(dt.datetime.combine(last + dt.timedelta(days=1), dt.time()))
    open_data_days_build(now=midnight + dt.timedelta(minutes=settings.OPEN_DATA_DAY_GRACE_MINUTES))
    created = OpenDataEvent.objects.values_list("created_at", flat=True)
    return sorted({timezone.localdate(moment) for moment in created})
