"""Fixtures for repair and objections: records on both sides of 2026-04-01, the city's
competence for the repair matter, proof files, a fixed working day and token API clients."""

from __future__ import annotations

import datetime as dt
from datetime import date

import pytest
import time_machine
from django.utils import translation
from rest_framework.test import APIClient

from commitments.catalogue.models import CommitmentTemplate
from commitments.catalogue.services import active_template
from credit.record.models.breaches import Breach
from credit.record.services import breaches as credit_services
from tests.factories import CompetenceFactory, api_token_secret
from tests.workflows.conftest import submit_commitment
from workflows.repair.services.objections import objection_submit
from workflows.repair.services.repair import ProofFile, repair_submit

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
TODAY = date(2026, 12, 1)  # a Tuesday
PDF = b"%PDF-1.4\n% proof of payment\n"


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
def repair_city(world):
    """The world's department also takes repair commitments in its region."""
    CompetenceFactory(
        matter=active_template(CommitmentTemplate.Kind.CREDIT_REPAIR).matter,
        region=world.region,
        department=world.department,
    )
    return world


def record(world, *, on: date, severity: str = "serious", subject=None) -> Breach:
    """A breach recorded by the world's regulator on a past day."""
    return credit_services.breach_record(
        subject_id=(subject or world.subject).pk,
        category_code="missed_obligation",
        severity=severity,
        reason="未按期提交整改报告",
        by=world.regulator,
        record_date=on,
    ).breach


def proof(name: str = "receipt.pdf", data: bytes = PDF, content_type="application/pdf"):
    return ProofFile(name=name, content_type=content_type, data=data)


def city_activity(world) -> None:
    """Two commitments, a repair application and an objection: something in every series."""
    submit_commitment(world)
    submit_commitment(world)
    breach = record(world, on=date(2026, 3, 31))
    repair_submit(breach=breach, by=world.applicant, statement="已整改", proofs=[proof()])
    objection_submit(
        breach=record(world, on=date(2026, 4, 2)),
        by=world.applicant,
        kind="content",
        grounds="有误",
    )


@pytest.fixture
def old_breach(repair_city, today) -> Breach:
    """Serious, recorded 2026-03-31 under Order 58: minimum 3 months, repairable now."""
    return record(repair_city, on=date(2026, 3, 31))


@pytest.fixture
def new_breach(repair_city, today) -> Breach:
    """Serious, recorded 2026-04-01 under Order 36: minimum 1 year, not repairable yet."""
    return record(repair_city, on=date(2026, 4, 1))


@pytest.fixture
def calling_system(db):
    from credit.check.services import calling_system_register

    return calling_system_register(
        code="approval-platform",
        name="City approval platform",
        username="approval-platform",
        by=None,
    )


@pytest.fixture
def client(client):
    """Pages in English (the source text the assertions use)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def api():
    """A function giving a token client (``Authorization: Token <key>``) that reads English."""

    def make(user) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_secret(user)}")
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return make
