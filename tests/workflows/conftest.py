"""Fixtures for the verification process: a commitment signed and handed to its department."""

from __future__ import annotations

import pytest
from viewflow.workflow.models import Task

from commitments.lifecycle.models import Commitment
from commitments.lifecycle.services.commitments import commitment_create
from workflows.verification.flows import InformCommitFlow
from workflows.verification.services.submission import commitment_submit

FIELD_VALUES = {"premises": "深圳市南山区科技园1号", "scope": "热食类食品制售"}


def draft_commitment(world, *, subject=None) -> Commitment:
    """Create one draft commitment of the world's applicant (the world's template)."""
    return commitment_create(
        by=world.applicant,
        subject=subject or world.subject,
        template=world.template,
        field_values=FIELD_VALUES,
    )


def submit_commitment(world, *, subject=None) -> Commitment:
    """Create and submit (sign + start verification) one commitment of the world's applicant."""
    return commitment_submit(
        commitment=draft_commitment(world, subject=subject), by=world.applicant
    )


def task_of(commitment: Commitment, node=None) -> Task:
    """The commitment's task at ``node`` (the verify task unless told), newest first."""
    node = node or InformCommitFlow.verify
    return Task.objects.filter(process_id=commitment.process_id, flow_task=node).latest("pk")


@pytest.fixture
def submitted_commitment(world) -> Commitment:
    return submit_commitment(world)


@pytest.fixture(autouse=True)
def _english(english):
    """Assert on the English source messages whatever catalogue is installed."""
