"""The beat lists unpaid pledge defaulters every hour through the pledges' own task."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings

from commitments.pledges.models import BidPledge
from commitments.pledges.services import bid_pledge_make, bid_pledge_outcome
from commitments.pledges.tasks import bid_pledge_defaults_sweep_task
from credit.record.models.breaches import ListEntry
from tests.commitments.pledges.conftest import SHANGHAI, bids_closed

pytestmark = pytest.mark.django_db


def test_the_beat_runs_the_defaults_sweep_task():
    entry = settings.CELERY_BEAT_SCHEDULE["credit-bid_pledge_defaults_sweep_task"]

    assert (
        entry["task"]
        == bid_pledge_defaults_sweep_task.name
        == "commitments.pledges.tasks.bid_pledge_defaults_sweep_task"
    )
    assert entry["schedule"] == timedelta(hours=1)
    assert "commitments.pledges.tasks" in settings.CELERY_IMPORTS


def test_the_task_lists_an_unpaid_defaulter_once(world, tender):
    pledge = bid_pledge_make(tender=tender, subject=world.subject, by=world.applicant)
    with bids_closed():
        bid_pledge_outcome(pledge=pledge, by=world.regulator, outcome="not_signed")

    with time_machine.travel(dt.datetime(2026, 12, 25, 10, tzinfo=SHANGHAI), tick=False):
        first = bid_pledge_defaults_sweep_task.apply().get()
        second = bid_pledge_defaults_sweep_task.apply().get()

    assert (first, second) == (1, 0)
    assert BidPledge.objects.get(pk=pledge.pk).status == "listed"
    assert ListEntry.objects.filter(credit_list__code="pledge-defaulters").count() == 1
