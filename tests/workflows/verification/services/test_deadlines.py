"""Extending a verification deadline from the task page and the API: who may, what is refused,
and the flow's escalation timer (and the queue's index row) following the new date."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from commitments.lifecycle.models import Commitment
from commitments.obligations.models import DeadlineExtension
from directory.calendar import add_working_days
from tests.commitments.obligations.conftest import SHANGHAI, SIGNED_AT, at
from tests.factories import api_token_secret
from tests.workflows.conftest import submit_commitment, task_of
from workflows.verification.flows import InformCommitFlow
from workflows.verification.models import VerificationTaskIndex
from workflows.verification.services.work import verification_complete

TODAY = datetime.date(2026, 3, 20)
NEW_DUE = datetime.date(2026, 5, 29)
NEW_DUE_AT = datetime.datetime(2026, 5, 29, 23, 59, 59, tzinfo=SHANGHAI)


@pytest.fixture
def signed(world) -> Commitment:
    with time_machine.travel(SIGNED_AT, tick=False):
        return submit_commitment(world)


@pytest.fixture
def today():
    with time_machine.travel(at(TODAY), tick=False):
        yield


@pytest.fixture
def client_as(client):
    def login(user):
        client.force_login(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return login


@pytest.fixture
def api_as():
    def make(user) -> APIClient:
        client = APIClient()
        client.credentials(
            HTTP_AUTHORIZATION=f"Token {api_token_secret(user)}", HTTP_ACCEPT_LANGUAGE="en"
        )
        return client

    return make


def _timer(commitment) -> Task:
    return Task.objects.get(
        process_id=commitment.process_id, flow_task=InformCommitFlow.verification_overdue
    )


def _state(commitment) -> tuple:
    """Everything an extension changes: the deadline, its basis, the timer, the index, history."""
    fresh = Commitment.objects.get(pk=commitment.pk)
    timer = _timer(fresh)
    return (
        fresh.verification_due_at,
        fresh.verification_due_basis,
        (timer.status, timer.scheduled),
        tuple(VerificationTaskIndex.objects.values_list("due_at", "remind_at")),
        fresh.history.count(),
        DeadlineExtension.objects.count(),
    )


def _extend_url(task) -> str:
    return reverse("workflows:extend-deadline", args=[task.pk])


def _page_form(data: dict) -> dict:
    """The extension form's fields as the task page names them (prefixed: the page holds
    other forms with a reason too)."""
    return {f"extend-{name}": value for name, value in data.items()}


def _api_url(task) -> str:
    return f"/api/v1/tasks/{task.pk}/extend-deadline/"


def test_the_regulator_extends_on_the_task_page_and_the_timer_follows(
    world, signed, today, client_as
):
    task = task_of(signed)
    previous = timezone.localdate(signed.verification_due_at)
    client = client_as(world.regulator)

    response = client.post(
        _extend_url(task), _page_form({"new_due_date": "2026-05-29", "reason": "需补充现场核查"})
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("workflows:task", args=[task.pk])
    signed.refresh_from_db()
    assert signed.verification_due_at == NEW_DUE_AT
    assert signed.verification_due_basis["extended_from"] == previous.isoformat()
    timer = _timer(signed)
    assert (timer.status, timer.scheduled) == (STATUS.SCHEDULED, NEW_DUE_AT)
    assert VerificationTaskIndex.objects.get(task_id=task.pk).due_at == NEW_DUE_AT
    extension = DeadlineExtension.objects.get()
    assert (
        extension.kind,
        extension.previous_due,
        extension.new_due,
        extension.reason,
        extension.extended_by,
    ) == (DeadlineExtension.Kind.VERIFICATION, previous, NEW_DUE, "需补充现场核查", world.regulator)
    assert signed.history.first().history_change_reason == (
        f"verification deadline extended from {previous.isoformat()} to 2026-05-29: 需补充现场核查"
    )

    # and the task page shows who extended it, when, from what date to what date and why
    page = client.get(reverse("workflows:task", args=[task.pk])).content.decode()
    assert 'data-testid="verification-extensions"' in page
    table = page.split('data-testid="verification-extensions"')[1].split("</table>")[0]
    for text in (
        "2026-03-20 09:00",
        "regulator",
        previous.isoformat(),
        "2026-05-29",
        "需补充现场核查",
    ):
        assert text in table


def test_the_task_page_offers_the_extension_form(world, signed, client_as):
    page = client_as(world.regulator).get(reverse("workflows:task", args=[task_of(signed).pk]))

    assert page.status_code == 200
    assert 'data-testid="extend-form"' in page.content.decode()


def test_a_supervisor_extends_over_the_api(world, signed, today, api_as):
    task = task_of(signed)
    previous = timezone.localdate(signed.verification_due_at)

    response = api_as(world.supervisor).post(
        _api_url(task), {"new_due_date": "2026-05-29", "reason": "节假日顺延"}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json() == {
        "task": task.pk,
        "commitment": signed.reference,
        "previous_due": previous.isoformat(),
        "new_due": "2026-05-29",
        "verification_due_at": "2026-05-29T23:59:59+08:00",
        "reason": "节假日顺延",
        "extended_by": "supervisor",
        "extended_at": "2026-03-20T09:00:00+08:00",
    }
    assert _timer(signed).scheduled == NEW_DUE_AT
    assert DeadlineExtension.objects.get().extended_by == world.supervisor


def test_the_verification_deadline_is_extended_by_working_days_over_the_api_and_page(
    world, signed, today, api_as, client_as
):
    # given: the verification window's current end
    task = task_of(signed)
    previous = timezone.localdate(signed.verification_due_at)
    once = add_working_days(previous, 3)
    twice = add_working_days(once.due_date, 2)

    # when: three working days more over the API, then two more on the task page
    response = api_as(world.regulator).post(
        _api_url(task), {"working_days": 3, "reason": "补充材料"}, format="json"
    )
    page = client_as(world.regulator).post(
        _extend_url(task), _page_form({"working_days": "2", "reason": "现场核查"})
    )

    # then: each counted on the official calendar from the deadline before it; the timer follows
    assert response.status_code == 200, response.json()
    assert (response.json()["previous_due"], response.json()["new_due"]) == (
        previous.isoformat(),
        once.due_date.isoformat(),
    )
    assert page.status_code == 302
    signed.refresh_from_db()
    assert timezone.localdate(signed.verification_due_at) == twice.due_date
    assert signed.verification_due_basis["unit"] == "working_days"
    assert _timer(signed).scheduled == signed.verification_due_at


def test_a_date_and_working_days_together_are_refused_on_the_page_and_over_the_api(
    world, signed, today, api_as, client_as
):
    task = task_of(signed)
    before = _state(signed)
    both = {"new_due_date": "2026-05-29", "working_days": 3, "reason": "理由"}

    response = api_as(world.regulator).post(_api_url(task), both, format="json")
    page = client_as(world.regulator).post(_extend_url(task), _page_form(both))

    message = "Give either the new due date or a number of working days."
    assert response.status_code == 400
    assert response.json()["fields"] == {"new_due_date": [message]}
    assert page.status_code == 400
    assert page.context["extend_form"].errors == {"new_due_date": [message]}
    assert _state(signed) == before


@pytest.mark.parametrize(
    ("new_due_date", "reason", "field", "message"),
    [
        ("2026-03-19", "理由", "new_due_date", "The new due date cannot be in the past."),
        ("2026-03-21", "理由", "new_due_date", "The new due date must be after the current one"),
        ("2026-05-29", "   ", "reason", "Say why the deadline is extended."),
    ],
)
def test_a_bad_extension_on_the_page_is_a_field_error_and_changes_nothing(
    world, signed, today, client_as, new_due_date, reason, field, message
):
    task = task_of(signed)
    before = _state(signed)

    response = client_as(world.regulator).post(
        _extend_url(task), _page_form({"new_due_date": new_due_date, "reason": reason})
    )

    assert response.status_code == 400
    errors = response.context["extend_form"].errors
    assert list(errors) == [field]
    assert errors[field][0].startswith(message)
    assert _state(signed) == before


@pytest.mark.parametrize(
    ("new_due_date", "reason", "field", "message"),
    [
        ("2026-03-19", "理由", "new_due_date", "The new due date cannot be in the past."),
        ("2026-05-29", "", "reason", "This field may not be blank."),
        ("not a date", "理由", "new_due_date", None),
    ],
)
def test_a_bad_extension_over_the_api_is_refused_in_the_envelope(
    world, signed, today, api_as, new_due_date, reason, field, message
):
    task = task_of(signed)
    before = _state(signed)

    response = api_as(world.regulator).post(
        _api_url(task), {"new_due_date": new_due_date, "reason": reason}, format="json"
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["fields"]) == [field]
    if message is not None:
        assert body["fields"][field] == [message]
    assert _state(signed) == before


def test_an_extension_before_the_current_due_date_is_refused_over_the_api(
    world, signed, today, api_as
):
    task = task_of(signed)
    current = timezone.localdate(signed.verification_due_at)
    before = _state(signed)

    response = api_as(world.regulator).post(
        _api_url(task),
        {"new_due_date": (current - datetime.timedelta(days=1)).isoformat(), "reason": "理由"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "new_due_date": [f"The new due date must be after the current one ({current.isoformat()})."]
    }
    assert _state(signed) == before


@pytest.mark.parametrize("who", ["foreign_regulator", "applicant"])
def test_a_task_outside_ones_department_is_not_found(world, signed, today, client_as, api_as, who):
    task = task_of(signed)
    before = _state(signed)
    data = {"new_due_date": "2026-05-29", "reason": "理由"}

    api_response = api_as(getattr(world, who)).post(_api_url(task), data, format="json")
    page_response = client_as(world.foreign_regulator).post(_extend_url(task), _page_form(data))

    assert api_response.status_code == 404
    assert api_response.json()["code"] == "not_found"
    assert page_response.status_code == 404
    assert _state(signed) == before


def test_a_done_task_cannot_have_its_deadline_extended(world, signed, today, client_as, api_as):
    task = task_of(signed)
    verification_complete(task=task, by=world.regulator, method="on_site", finding="fulfilled")
    commitment = Commitment.objects.get(pk=signed.pk)
    before = (commitment.verification_due_at, commitment.history.count())
    data = {"new_due_date": "2026-05-29", "reason": "理由"}

    api_response = api_as(world.regulator).post(_api_url(task), data, format="json")
    page_response = client_as(world.regulator).post(_extend_url(task), _page_form(data))

    assert api_response.status_code == 409
    assert api_response.json() == {
        "code": "invalid_state",
        "message": "This verification has already been recorded.",
        "fields": {"status": ["This verification has already been recorded."]},
    }
    assert page_response.status_code == 400
    assert page_response.context["extend_form"].non_field_errors() == [
        "This verification has already been recorded."
    ]
    assert 'data-testid="extend-errors"' in page_response.content.decode()
    commitment.refresh_from_db()
    assert (commitment.verification_due_at, commitment.history.count()) == before
    assert DeadlineExtension.objects.count() == 0


def test_a_verification_deadline_past_the_horizon_is_refused_on_the_api_and_page(
    world, signed, today, client_as, api_as
):
    # given the year 9999, which the obligations' calendar could never count to
    task = task_of(signed)
    before = _state(signed)
    data = {"new_due_date": "9999-12-31", "reason": "理由"}

    # when
    api_response = api_as(world.supervisor).post(_api_url(task), data, format="json")
    page_response = client_as(world.supervisor).post(_extend_url(task), _page_form(data))

    # then: the field says how far a date may go, and nothing changed
    message = "Give a date no later than 2031-03-20."
    assert api_response.status_code == 400
    assert api_response.json() == {
        "code": "invalid",
        "message": message,
        "fields": {"new_due_date": [message]},
    }
    assert page_response.status_code == 400
    assert page_response.context["extend_form"].errors["new_due_date"] == [message]
    assert _state(signed) == before
