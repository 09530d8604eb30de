"""A registry event's row, inserted by the statement compiled once, is the one save() writes."""

from __future__ import annotations

import pytest

from commitments.lifecycle.models import RegistryEvent
from commitments.lifecycle.services.register import registry_event_append
from directory.rows import save_new
from tests.factories import CommitmentFactory, RegistryEventFactory

pytestmark = pytest.mark.django_db


def _row(event: RegistryEvent) -> dict:
    values = RegistryEvent.objects.filter(pk=event.pk).values().get()
    for name in ("id", "leaf_index", "salt"):
        values.pop(name)
    return values


def test_the_row_is_the_one_save_writes_value_for_value():
    commitment = CommitmentFactory(signed=True)
    orm, first, compiled = (
        RegistryEventFactory.build(commitment=commitment, event={"payload": {"n": 1, "名": "值"}})
        for _ in range(3)
    )
    for event in (first, compiled):
        event.created_at = orm.created_at
    orm.save()
    save_new(first)  # compiles
    save_new(compiled)  # the statement compiled once

    assert len({orm.pk, first.pk, compiled.pk}) == 3
    assert _row(compiled) == _row(first) == _row(orm)
    assert compiled._state.adding is False and compiled._state.db == "default"


def test_an_appended_event_is_stored_as_returned():
    commitment = CommitmentFactory(signed=True)

    record = registry_event_append(
        event_type=RegistryEvent.Type.SIGNED, commitment=commitment, payload={"n": 1}
    )

    stored = RegistryEvent.objects.get(pk=record.pk)
    assert (stored.event, stored.salt, stored.leaf_index, stored.created_at) == (
        record.event,
        record.salt,
        record.leaf_index,
        record.created_at,
    )
    assert stored.subject_id == commitment.subject_id
