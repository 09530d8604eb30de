"""The open data feed is written where the record changes in public: each event once, in the
change's transaction, tied to its leaf and checkpoint, a natural person masked."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.db import transaction

from commitments.lifecycle.services.withdrawal import commitment_withdraw
from credit.opendata.models import OpenDataEvent
from credit.record.services.breaches import breach_record
from credit.record.services.lists import list_entries_enter_due
from credit.record.services.publicity import breach_publication_end_due
from credit.record.services.repair import (
    BreachCorrection,
    breach_objection_close,
    breach_objection_mark,
    breach_repair,
)
from signing.register.merkle import leaf_hash, salted_digest
from signing.register.models import LogHead, LogLeaf
from tests.credit.opendata.conftest import PERSON_ID, TODAY, at, general_breach
from tests.workflows.conftest import draft_commitment

Kind = OpenDataEvent.Kind


def _kinds(**where) -> list[str]:
    return list(OpenDataEvent.objects.filter(**where).values_list("kind", flat=True))


def test_every_kind_is_written_once_by_the_service_that_causes_it(history):
    events = list(OpenDataEvent.objects.all())
    corrected, repaired = history.corrected_then_revoked.pk, history.repaired.pk
    resumed = history.suspended_then_resumed.pk

    assert Counter(
        (event.kind, event.record_id, event.list_entry_id) for event in events
    ) == Counter(
        [
            (Kind.PUBLICATION_STARTED, history.ended.pk, None),
            (Kind.PUBLICATION_ENDED, history.ended.pk, None),
            (Kind.SUBJECT_WITHHELD, history.ended.pk, None),
            (Kind.LIST_ENTERED, None, history.red_entry.pk),
            (Kind.PUBLICATION_STARTED, corrected, None),
            (Kind.LIST_EXITED, None, history.red_entry.pk),
            (Kind.SUBJECT_WITHHELD, None, history.red_entry.pk),
            (Kind.PUBLICATION_STARTED, repaired, None),
            (Kind.LIST_ENTERED, repaired, history.black_entry.pk),
            (Kind.RECORD_REPAIRED, repaired, None),
            (Kind.SUBJECT_WITHHELD, repaired, None),
            (Kind.LIST_EXITED, repaired, history.black_entry.pk),
            (Kind.SUBJECT_WITHHELD, repaired, history.black_entry.pk),
            (Kind.PUBLICATION_SUSPENDED, corrected, None),
            (Kind.RECORD_CORRECTED, corrected, None),
            (Kind.PUBLICATION_RESUMED, corrected, None),
            (Kind.PUBLICATION_SUSPENDED, corrected, None),
            (Kind.RECORD_REVOKED, corrected, None),
            (Kind.SUBJECT_WITHHELD, corrected, None),
            (Kind.LIST_ENTERED, None, history.defaulter_entry.pk),
            (Kind.LIST_EXITED, None, history.defaulter_entry.pk),
            (Kind.SUBJECT_WITHHELD, None, history.defaulter_entry.pk),
            (Kind.COMMITMENT_WITHDRAWN, None, None),
            (Kind.PUBLICATION_STARTED, resumed, None),
            (Kind.PUBLICATION_SUSPENDED, resumed, None),
            (Kind.PUBLICATION_RESUMED, resumed, None),
            (Kind.PUBLICATION_STARTED, history.person_public.pk, None),
        ]
    )
    assert set(Kind.values) == {event.kind for event in events}
    withdrawn = OpenDataEvent.objects.get(kind=Kind.COMMITMENT_WITHDRAWN)
    assert withdrawn.reference == history.withdrawn_reference


def test_each_event_is_a_leaf_of_the_log_under_the_checkpoint_signed_after_it(history):
    for event in OpenDataEvent.objects.select_related("checkpoint"):
        leaf = LogLeaf.objects.get(index=event.leaf_index)
        expected = leaf_hash(salted_digest(salt=bytes.fromhex(event.salt), event=event.event))
        assert bytes(leaf.leaf_hash) == expected
        assert leaf.event_type == "open_data"
        assert event.checkpoint.tree_size == event.leaf_index + 1


def _opens(event: OpenDataEvent) -> bool:
    """Whether the row's disclosure opens the event's subject commitment."""
    opened = {"name": event.subject_name, "code": event.subject_code or None}
    digest = salted_digest(salt=bytes.fromhex(event.subject_salt), event=opened).hex()
    return digest == event.event["subject"]["commitment"]


def test_a_natural_person_is_masked_and_never_identified(history):
    events = OpenDataEvent.objects.filter(subject=history.person)

    named = [event for event in events if not event.is_withheld]
    assert [event.record_id for event in named] == [history.person_public.pk]
    assert {(event.subject_name, event.subject_code) for event in named} == {("张**", "")}
    assert all(_opens(event) for event in named)
    dumped = json.dumps(
        [[event.event, event.subject_name, event.subject_code] for event in events],
        ensure_ascii=False,
    )
    assert PERSON_ID not in dumped
    assert PERSON_ID[:6] not in dumped
    assert "张三丰" not in dumped


def test_a_public_company_is_named_with_its_code_and_no_free_text_is_published(history):
    [event] = OpenDataEvent.objects.filter(
        kind=Kind.PUBLICATION_STARTED, record_id=history.suspended_then_resumed.pk
    )

    assert (event.subject_name, event.subject_code) == (history.company.name, history.company.code)
    assert event.event["subject"]["kind"] == "company"
    assert _opens(event)
    assert history.company.name not in json.dumps(event.event, ensure_ascii=False)
    assert event.event["category"] == "missed_obligation"
    assert "逾期未履行承诺" not in json.dumps(event.event, ensure_ascii=False)


def test_an_objection_suspends_and_resumes_a_published_record_in_the_feed(history):
    record = history.suspended_then_resumed
    events = OpenDataEvent.objects.filter(record_id=record.pk)

    assert [(e.kind, e.effective_on) for e in events] == [
        (Kind.PUBLICATION_STARTED, record.record_date),
        (Kind.PUBLICATION_SUSPENDED, record.record_date),
        (Kind.PUBLICATION_RESUMED, record.record_date),
    ]
    assert record.status == "published"
    assert [e.actor for e in events[1:]] == [history.extra["applicant"], history.extra["regulator"]]
    assert not any(event.is_withheld for event in events)


def test_an_objection_to_a_record_never_published_is_not_announced(world):
    with time_machine.travel(at(TODAY), tick=False):
        breach = general_breach(world.subject, world.regulator, severity="minor")
        breach_objection_mark(breach_id=breach.pk, by=world.applicant, on=TODAY, case="o 1")
        breach_objection_close(
            breach_id=breach.pk,
            back_to=breach.Status.RECORDED,
            by=world.regulator,
            on=TODAY,
            reason="rejected",
            correction=BreachCorrection(reason="更正"),
        )

    assert OpenDataEvent.objects.count() == 0


def test_an_objection_closed_past_the_maximum_period_ends_and_withholds(world):
    with time_machine.travel(at(TODAY), tick=False):
        breach = general_breach(world.subject, world.regulator)
        breach_objection_mark(breach_id=breach.pk, by=world.applicant, on=TODAY, case="o 1")
    breach_objection_close(
        breach_id=breach.pk,
        back_to=breach.Status.PUBLISHED,
        by=world.regulator,
        on=breach.publicity_max_until,
        reason="rejected late",
    )

    assert _kinds(record_id=breach.pk) == [
        Kind.PUBLICATION_STARTED,
        Kind.PUBLICATION_SUSPENDED,
        Kind.PUBLICATION_ENDED,
        Kind.SUBJECT_WITHHELD,
    ]
    assert all(event.is_withheld for event in OpenDataEvent.objects.all())


def test_the_items_of_a_record_no_longer_public_withhold_the_subject_and_still_verify(history):
    ended = OpenDataEvent.objects.filter(record_id=history.ended.pk)
    started, end, announcement = ended

    assert (announcement.kind, announcement.effective_on) == (
        Kind.SUBJECT_WITHHELD,
        history.ended.publicity_max_until,
    )
    assert announcement.event["withheld"] == [started.leaf_index, end.leaf_index]
    for event in (started, end):
        assert (event.subject_name, event.subject_code, event.subject_salt) == ("", "", "")
        assert event.withheld_by == announcement
        leaf = LogLeaf.objects.get(index=event.leaf_index)
        assert bytes(leaf.leaf_hash) == leaf_hash(
            salted_digest(salt=bytes.fromhex(event.salt), event=event.event)
        )
    assert announcement.is_withheld and announcement.withheld_by is None
    withdrawn = OpenDataEvent.objects.get(kind=Kind.COMMITMENT_WITHDRAWN)
    assert withdrawn.is_withheld and withdrawn.withheld_by is None


def test_a_designation_still_running_keeps_its_name_when_its_record_ends(world):
    with time_machine.travel(at(TODAY), tick=False):
        outcome = breach_record(
            subject_id=world.subject.pk,
            category_code="missed_obligation",
            severity="serious",
            reason="严重逾期",
            by=world.regulator,
        )
        [entry] = outcome.list_notices
        list_entries_enter_due(on=entry.enter_not_before)
    breach = outcome.breach
    breach.refresh_from_db()
    breach_publication_end_due(on=breach.publicity_max_until)

    [listed] = OpenDataEvent.objects.filter(kind=Kind.LIST_ENTERED, list_entry_id=entry.pk)
    [started] = OpenDataEvent.objects.filter(kind=Kind.PUBLICATION_STARTED, record_id=breach.pk)
    entry.refresh_from_db()
    assert entry.status == entry.Status.LISTED
    assert not listed.is_withheld
    assert started.is_withheld


def test_a_later_change_of_a_withheld_record_is_announced_withheld(world):
    with time_machine.travel(at(TODAY), tick=False):
        breach = general_breach(world.subject, world.regulator)
    breach_publication_end_due(on=breach.publicity_max_until)
    breach_repair(
        breach_id=breach.pk, by=world.regulator, on=breach.publicity_max_until, case="a 1"
    )

    [repaired] = OpenDataEvent.objects.filter(kind=Kind.RECORD_REPAIRED)
    assert repaired.is_withheld
    assert _kinds(kind=Kind.SUBJECT_WITHHELD) == [Kind.SUBJECT_WITHHELD]


def test_publication_ends_once_dated_by_the_rule_however_late_the_sweep(world):
    with time_machine.travel(at(TODAY), tick=False):
        breach = general_breach(world.subject, world.regulator)
    late = breach.publicity_max_until + timedelta(days=12)

    assert breach_publication_end_due(on=late) == 1
    assert breach_publication_end_due(on=late) == 0
    assert breach_publication_end_due(on=late + timedelta(days=1)) == 0

    [ended] = OpenDataEvent.objects.filter(kind=Kind.PUBLICATION_ENDED)
    assert ended.effective_on == breach.publicity_max_until


def test_a_record_never_published_is_never_announced(world):
    # Under NDRC Order 36 a minor breach stays unpublished; its repair must not reveal it.
    with time_machine.travel(at(TODAY), tick=False):
        breach = general_breach(world.subject, world.regulator, severity="minor")
        breach_repair(breach_id=breach.pk, by=world.regulator, on=TODAY, case="application 9")

    assert breach.is_publishable is False
    assert OpenDataEvent.objects.count() == 0


def test_the_event_rolls_back_with_the_change_that_caused_it(world):
    size_before = LogHead.objects.filter(pk=1).values_list("size", flat=True).first() or 0

    with pytest.raises(RuntimeError), transaction.atomic():
        breach_record(
            subject_id=world.subject.pk,
            category_code="missed_obligation",
            severity="general",
            reason="逾期",
            by=world.regulator,
        )
        assert _kinds() == [Kind.PUBLICATION_STARTED]
        raise RuntimeError("the decision failed after the record")

    assert _kinds() == []
    assert (LogHead.objects.filter(pk=1).values_list("size", flat=True).first() or 0) == (
        size_before
    )


def test_a_draft_dropped_is_not_announced(world):
    commitment_withdraw(commitment=draft_commitment(world), by=world.applicant, reason="")

    assert OpenDataEvent.objects.count() == 0
