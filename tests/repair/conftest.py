"""Fixtures for repair and objections: records on both sides of 2026-04-01, the city's
competence for the repair matter, proof files and a fixed working day."""

from __future__ import annotations

import datetime as dt
from datetime import date

import pytest
import time_machine
from django.utils import translation

from commitments.catalogue.models import CommitmentTemplate
from commitments.catalogue.services import active_template
from credit import services as credit_services
from credit.models import Breach
from credit.services_repair import ProofFile
from tests.factories import CompetenceFactory

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
    from credit.services import calling_system_register

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
