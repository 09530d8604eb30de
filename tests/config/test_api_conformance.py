"""Every API operation, as every role, answers within its schema and never with a 5xx.

schemathesis loads the schema from the app and calls the Django WSGI application in-process
(no server): each operation is tried with a bounded number of generated requests, valid and
invalid, derandomized, each sent as every role with API access (an applicant, a regulator, a
supervisor, a calling system, nobody) and once more with the ids of real demo objects in
the path, so the operations also reach their success paths. Every check is on; one is adjusted
(see the test). Fails on any 5xx, any status, content type, header or body the
schema does not document, any schema-violating request accepted, and lists them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.pytest.lazy import get_all_tests
from viewflow.workflow.models import Task

from commitments.associations.models import BulkIssue
from commitments.lifecycle.models import Commitment
from commitments.pledges.models import Tender
from credit.check.services import calling_system_register
from credit.reports.services import report_request
from directory.models import Department, Subject
from tests.factories import (
    BidPledgeFactory,
    CommitmentFactory,
    ObjectionFactory,
    ObligationFactory,
    RepairApplicationFactory,
    RepresentativeFactory,
    api_token_secret,
)
from workflows.management.commands.demo_load import FOOD_TEMPLATE_CODE, SUBJECT_CODE
from workflows.management.demo_association import ASSOCIATION_CODE

schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def wsgi_in_test_transaction(db):
    """Let the WSGI app share the test's transaction, as Django's test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@dataclass
class Demo:
    tokens: dict[str, str | None]
    path_values: dict[tuple[str, str], dict[str, object]]
    subject_code: str


@pytest.fixture
def demo(wsgi_in_test_transaction, settings) -> Demo:
    """The demo city, a calling system, and one object of each kind an id in a path names."""
    # Generated passwords for signing are wrong ones: without this, the lockout (tested in
    # tests/access) would answer every later call 429 and hide the operations from the test.
    settings.AXES_FAILURE_LIMIT = 1_000_000
    call_command("demo_load", verbosity=0)
    _system, system_key = calling_system_register(
        code="approval-platform",
        name="审批平台",
        username="approval-platform",
        operator="市政务服务数据管理局",
        by=None,
    )
    users = get_user_model().objects.in_bulk(
        ["applicant", "regulator", "supervisor"], field_name="username"
    )
    tokens = {name: api_token_secret(user) for name, user in users.items()}
    subject = Subject.objects.get(code=SUBJECT_CODE)
    department = Department.objects.get(code="sz-amr")
    signed = Commitment.objects.get(subject=subject, template__code=FOOD_TEMPLATE_CODE)
    draft = CommitmentFactory(
        subject=subject, template=signed.template, created_by=users["applicant"]
    )
    pledge = BidPledgeFactory(
        tender=Tender.objects.get(), subject=subject, pledged_by=users["applicant"]
    )
    obligation = ObligationFactory(commitment=signed)
    repair = RepairApplicationFactory(
        breach__subject=subject, department=department, submitted_by=users["applicant"]
    )
    objection = ObjectionFactory(
        breach__subject=subject, department=department, filed_by=users["applicant"]
    )
    task = Task.objects.filter(process_id=signed.process_id).order_by("-pk").first()
    # An agent's request awaiting the representative: what refuse, review and revoke act on.
    request = RepresentativeFactory(subject=subject, requested=True)
    # The demo association's bulk issue, and a credit report whose seal can be verified.
    bulk_issue = BulkIssue.objects.get(association__code=ASSOCIATION_CODE)
    credit_report = report_request(
        user=users["applicant"],
        subject_code=subject.code,
        span_from=timezone.localdate() - timedelta(days=365),
        span_until=timezone.localdate(),
    )
    ids = {
        "/api/v1/pledges/": pledge.pk,
        "/api/v1/obligations/": obligation.pk,
        "/api/v1/tasks/": task.pk,
        "/api/v1/credit/office/repairs/": repair.pk,
        "/api/v1/credit/office/objections/": objection.pk,
        "/api/v1/representations/": request.pk,
    }
    association_values = {"association": ASSOCIATION_CODE, "pk": bulk_issue.pk, "id": bulk_issue.pk}
    path_values = {}
    for prefix, pk in ids.items():
        path_values[("GET", prefix)] = path_values[("POST", prefix)] = {"id": pk}
    return Demo(
        tokens=tokens | {"calling-system": system_key, "anonymous": None},
        path_values=path_values
        | {
            ("GET", "/api/v1/commitments/"): {"reference": signed.reference},
            ("GET", "/api/v1/portal/commitments/"): {"reference": signed.reference},
            ("POST", "/api/v1/commitments/"): {"reference": draft.reference},
            ("GET", "/api/v1/credit/reports/"): {"reference": credit_report.reference},
            ("POST", "/api/v1/credit/reports/"): {"reference": credit_report.reference},
            ("GET", "/api/v1/associations/"): association_values,
            ("POST", "/api/v1/associations/"): association_values,
        },
        subject_code=subject.code,
    )


def real_path_parameters(case, demo: Demo) -> dict[str, object]:
    """The ids of demo objects for the parameters in ``case``'s path."""
    values = {"code": demo.subject_code, "kind": "red"}
    for (method, prefix), named in demo.path_values.items():
        if case.method == method and case.path.startswith(prefix):
            values |= named
    return {name: values[name] for name in case.path_parameters or {}}


# Bounded: 10 generated requests per operation (besides schemathesis' explicit examples and
# coverage cases), derandomized, no example database, a generous deadline per example (each
# example is one request per role) that only a hang reaches.
SETTINGS = settings(
    max_examples=10,
    deadline=timedelta(seconds=30),
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def call_as_every_role(case, demo: Demo) -> None:
    """Send the case as each role, then (if it names objects) with the ids of demo objects."""
    cases = [case]
    # Not for the coverage phase's calls with a method the operation does not have (a 405).
    if case.path_parameters and case.method.upper() == case.operation.method.upper():
        real = case.operation.Case(
            method=case.method,
            path_parameters=real_path_parameters(case, demo),
            query=case.query,
            headers=case.headers,
            body=case.body,
            media_type=case.media_type,
        )
        cases.append(real)
    for each in cases:
        for key in demo.tokens.values():
            each.call_and_validate(headers={"Authorization": f"Token {key}"} if key else {})


def messages(failure: BaseException) -> list[str]:
    """The one-line reasons of a failure, of each failure in a group."""
    if isinstance(failure, BaseExceptionGroup):
        return [message for each in failure.exceptions for message in messages(each)]
    notes = [line for note in getattr(failure, "__notes__", []) for line in note.splitlines()]
    reproduce = [line.strip() for line in notes if line.strip().startswith("curl")]
    text = f"{getattr(failure, 'title', type(failure).__name__)}: " + " ".join(
        str(getattr(failure, "message", failure)).split()
    )
    return [" | ".join([text[:400], *reproduce[:1]])]


def test_every_operation_as_every_role_gives_no_server_error_and_conforms(demo):
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", WSGIHandler())
    # One check adjusted, not disabled: positive_data_acceptance also takes a 400 for a
    # schema-valid request. A schema cannot say that a template, subject, tender or breach
    # named in a body exists, nor the rules on dates and states the services enforce; the API
    # answers those with a 400 and a field error, which the schema documents.
    acceptance = schema.config.checks.positive_data_acceptance
    acceptance.expected_statuses = [*acceptance.expected_statuses, "400"]
    operations, failures = [], []
    for result in get_all_tests(
        schema=schema, test_func=call_as_every_role, settings=SETTINGS, given_kwargs={}
    ):
        operation, run = result.ok()
        operations.append(operation.label)
        try:
            run(demo=demo)
        except (Exception, BaseExceptionGroup) as failure:  # noqa: BLE001 - every failure is reported
            failures.extend(f"{operation.label}: {message}" for message in messages(failure))

    assert failures == [], "\n".join(failures)
    # every operation of the schema was tried: none skipped for want of a test
    in_schema = [
        f"{method.upper()} {path}"
        for path, methods in schema.raw_schema["paths"].items()
        for method in methods
        if method in {"get", "post", "put", "patch", "delete"}
    ]
    assert sorted(operations) == sorted(in_schema)
    assert len(operations) >= 55
