"""Fixtures for bidding pledges: a fixed working day, a tender of the world's department
that takes pledges, English pages and token-authenticated API clients."""

from __future__ import annotations

import datetime as dt
from datetime import date

import pytest
import time_machine
from django.utils import translation
from rest_framework.test import APIClient

from commitments.catalogue.models import CommitmentTemplate
from commitments.catalogue.services import active_template
from commitments.pledges.models import Tender
from commitments.pledges.services import tender_create
from credit.record.models.breaches import ListEntry
from credit.record.models.rules import CreditList
from tests.factories import CompetenceFactory, api_token_secret

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
TODAY = date(2026, 12, 1)  # a Tuesday
DEADLINE = dt.datetime(2026, 12, 10, 9, tzinfo=SHANGHAI)
AWARDED = dt.datetime(2026, 12, 10, 10, tzinfo=SHANGHAI)  # a Thursday, after the bid deadline
AWARDED_PAYMENT_DUE = date(2026, 12, 24)  # ten working days after the award


def bids_closed():
    """The clock an hour after the tender's bid deadline: the award, and what the winner does
    after it, can be recorded from then on."""
    return time_machine.travel(AWARDED, tick=True)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def today():
    """Every test runs on 2026-12-01 10:00 in Shanghai (the clock keeps ticking)."""
    with time_machine.travel(dt.datetime(2026, 12, 1, 10, tzinfo=SHANGHAI), tick=True):
        yield TODAY


@pytest.fixture
def client(client):
    """Pages in English (the source text the assertions use)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def tender(world, today) -> Tender:
    """A tender of the world's department (the tendering authority), open until 12-10."""
    CompetenceFactory(
        matter=active_template(CommitmentTemplate.Kind.BIDDING_PLEDGE).matter,
        region=world.region,
        department=world.department,
    )
    return tender_create(
        by=world.regulator,
        department=world.department,
        reference="SZ-ZB-2026-0815",
        title="南山区学校食堂配餐服务",
        bid_deadline=DEADLINE,
        deposit_amount="80000.00",
    )


@pytest.fixture
def api_as():
    """An ``APIClient`` that sends ``Authorization: Token <key>`` for a user."""

    def make(user) -> APIClient:
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_secret(user)}")
        return client

    return make


def black_list(subject) -> ListEntry:
    return ListEntry.objects.create(
        credit_list=CreditList.objects.get(code="serious-dishonesty"),
        subject=subject,
        reason="严重失信",
        entered_on=date(2026, 6, 1),
        status=ListEntry.Status.LISTED,
    )
