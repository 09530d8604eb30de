"""The pledge defaulters' list: a defaulter is listed for the list's period from the day it is
listed, after the non-refund notice as its prior notice; one open listing per subject."""

from __future__ import annotations

import datetime as dt
from datetime import date

import pytest

from credit.record.models.breaches import ListEntry
from credit.record.services.pledge_defaulters import PLEDGE_DEFAULTERS, pledge_defaulter_list
from directory.audit import system_user

pytestmark = pytest.mark.django_db

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def test_a_defaulter_is_listed_for_the_lists_period(world):
    entry = pledge_defaulter_list(
        subject_id=world.subject.pk,
        reason="bidding pledge 1 breached (not_signed), amount unpaid after 2026-12-15",
        noticed_on=date(2026, 12, 1),
        on=date(2026, 12, 16),
        by=system_user(),
    )

    assert (entry.credit_list.code, entry.status, entry.subject) == (
        PLEDGE_DEFAULTERS,
        "listed",
        world.subject,
    )
    assert (entry.entered_on, entry.exit_not_before) == (date(2026, 12, 16), date(2027, 12, 16))
    assert entry.prior_notice_sent_at == dt.datetime(2026, 12, 1, tzinfo=SHANGHAI)
    assert entry.history.latest().history_change_reason == "pledge defaulter listed"


def test_a_subject_already_listed_keeps_its_one_entry(world):
    first = pledge_defaulter_list(
        subject_id=world.subject.pk,
        reason="first",
        noticed_on=date(2026, 12, 1),
        on=date(2026, 12, 16),
        by=system_user(),
    )

    second = pledge_defaulter_list(
        subject_id=world.subject.pk,
        reason="second",
        noticed_on=date(2027, 1, 4),
        on=date(2027, 1, 20),
        by=system_user(),
    )

    assert second == first
    assert (second.reason, second.entered_on) == ("first", date(2026, 12, 16))
    assert ListEntry.objects.filter(credit_list__code=PLEDGE_DEFAULTERS).count() == 1
