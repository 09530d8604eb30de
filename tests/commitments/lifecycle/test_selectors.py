"""Reads of commitments: the timeline of who changed what and why, said from event codes."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import timezone, translation

from commitments.lifecycle.models import Commitment
from commitments.lifecycle.selectors import (
    TimelineEvent,
    commitment_timeline,
    timeline_sentences,
)
from commitments.lifecycle.services.commitments import (
    commitment_create,
    commitment_sign,
)
from signing.ca.authority import ca_clear_cache

FIELDS = {"premises": "深圳市南山区科技园1号", "scope": "热食类食品制售"}


@pytest.fixture(autouse=True)
def own_signing_paths(settings, tmp_path: Path):
    """A CA and a document store of this test's own, so clock travel cannot predate the CA."""
    settings.SIGNING_CA_AUTOCREATE = True
    settings.SIGNING_CA_CERT_PATH = str(tmp_path / "ca" / "ca.crt")
    settings.SIGNING_CA_KEY_PATH = str(tmp_path / "ca" / "ca.key")
    settings.SIGNING_DOCUMENT_ROOT = str(tmp_path / "documents")
    ca_clear_cache()
    yield
    ca_clear_cache()


def _draft(world, **overrides) -> Commitment:
    arguments = {
        "by": world.applicant,
        "subject": world.subject,
        "template": world.template,
        "field_values": FIELDS,
    } | overrides
    return commitment_create(**arguments)


def test_timeline_records_who_changed_what_and_why(world):
    commitment = _draft(world)
    commitment_sign(commitment=commitment, by=world.applicant)

    timeline = commitment_timeline(commitment=commitment)

    assert [(e["from_status"], e["to_status"], e["reason"]) for e in timeline] == [
        (None, "draft", "draft created"),
        ("draft", "signed", "signed"),
    ]
    assert {e["actor"] for e in timeline} == {world.applicant}


def test_the_timeline_says_each_event_from_its_code_in_the_readers_language(world):
    commitment = _draft(world)
    commitment_sign(commitment=commitment, by=world.applicant)

    with translation.override("zh-hans"):
        chinese = timeline_sentences(commitment=commitment)
    with translation.override("en"):
        english = timeline_sentences(commitment=commitment)

    assert [e["event"] for e in chinese] == [TimelineEvent.CREATED, TimelineEvent.SIGNED]
    signed = timezone.localtime(chinese[1]["at"])  # China Standard Time, with the year
    name = world.applicant.get_username()
    assert chinese[1]["text"] == f"{name} 于 {signed:%Y-%m-%d %H:%M} 签署了承诺书。"
    assert english[1]["text"] == f"{name} signed the commitment on {signed:%Y-%m-%d %H:%M}."
    assert "draft created" not in {e["text"] for e in chinese + english}
