"""Queueing record change notices: one per calling system that asked about the subject, never
twice for the same change, none for a subject nobody asked about."""

from __future__ import annotations

from credit.changes.models import RecordChangeNotice
from credit.changes.services import record_change_queue
from tests.factories import BreachFactory, CallingSystemFactory, CheckQueryFactory


def test_each_system_that_asked_about_the_subject_gets_one_notice(db):
    breach = BreachFactory(published=True)
    first, second = CallingSystemFactory(), CallingSystemFactory()
    for system in (first, second, first):
        CheckQueryFactory(calling_system=system, subject=breach.subject)
    CheckQueryFactory(calling_system=CallingSystemFactory())  # about another subject

    notices = record_change_queue(breach=breach, change=RecordChangeNotice.Change.REPAIRED)
    again = record_change_queue(breach=breach, change=RecordChangeNotice.Change.REPAIRED)

    assert [(n.calling_system, n.breach, n.change) for n in notices] == [
        (first, breach, "repaired"),
        (second, breach, "repaired"),
    ]
    assert again == notices
    assert RecordChangeNotice.objects.count() == 2


def test_a_record_nobody_asked_about_needs_no_notice(db):
    breach = BreachFactory(published=True)

    assert record_change_queue(breach=breach, change=RecordChangeNotice.Change.REVOKED) == []
    assert not RecordChangeNotice.objects.exists()
