"""Reads of commitments: the timeline of who changed what and why."""

from __future__ import annotations

from pathlib import Path

import pytest

from commitments.lifecycle.models import Commitment
from commitments.lifecycle.selectors import commitment_timeline
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
