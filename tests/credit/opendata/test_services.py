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
from credit.record.services.publicity import breach_publication_end_due
from credit.record.services.repair import breach_repair
from signing.register.merkle import leaf_hash, salted_digest
from signing.register.models import LogHead, LogLeaf
from tests.credit.opendata.conftest import PERSON_ID, TODAY, at, general_breach
from tests.workflows.conftest import draft_commitment

Kind = OpenDataEvent.Kind


def _kinds(**where) -> list[str]:
    return list(OpenDataEvent.objects.filter(**where).values_list("kind", flat=True))


def test_every_kind_is_written_once_by_the_service_that_causes_it(history):
    events = list(OpenDataEvent.objects.all())

    assert Counter(
        (event.kind, event.record_id, event.list_entry_id) for event in events
    ) == Counter(
        [
            (Kind.PUBLICATION_STARTED, history.ended.pk, None),
            (Kind.PUBLICATION_ENDED, history.ended.pk, None),
            (Kind.LIST_ENTERED, None, history.red_entry.pk),
            (Kind.PUBLICATION_STARTED, history.corrected_then_revoked.pk, None),
            (Kind.LIST_EXITED, None, history.red_entry.pk),
            (Kind.PUBLICATION_STARTED, history.repaired.pk, None),
            (Kind.LIST_ENTERED, history.repaired.pk, history.black_entry.pk),
            (Kind.RECORD_REPAIRED, history.repaired.pk, None),
            (Kind.LIST_EXITED, history.repaired.pk, history.black_entry.pk),
            (Kind.RECORD_CORRECTED, history.corrected_then_revoked.pk, None),
            (Kind.RECORD_REVOKED, history.corrected_then_revoked.pk, None),
            (Kind.LIST_ENTERED, None, history.defaulter_entry.pk),
            (Kind.LIST_EXITED, None, history.defaulter_entry.pk),
            (Kind.COMMITMENT_WITHDRAWN, None, None),
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


def test_a_natural_person_is_masked_and_never_identified(history):
    events = OpenDataEvent.objects.filter(subject=history.person)

    assert {event.event["subject"]["name"] for event in events} == {"张**"}
    assert {event.event["subject"]["code"] for event in events} == {None}
    dumped = json.dumps([event.event for event in events], ensure_ascii=False)
    assert PERSON_ID not in dumped
    assert PERSON_ID[:6] not in dumped
    assert "张三丰" not in dumped


def test_a_company_is_named_with_its_code_and_no_free_text_is_published(history):
    [event] = OpenDataEvent.objects.filter(
        kind=Kind.PUBLICATION_STARTED, record_id=history.ended.pk
    )

    assert event.event["subject"] == {
        "kind": "company",
        "name": history.company.name,
        "code": history.company.code,
    }
    assert event.event["category"] == "missed_obligation"
    assert "逾期未履行承诺" not in json.dumps(event.event, ensure_ascii=False)


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
