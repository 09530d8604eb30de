"""The applicant's obligation pages and the officer's delivery status page."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from commitments.obligations.models import DeadlineExtension, Obligation, PerformanceReport
from commitments.obligations.services.sweep import obligation_warnings_sweep
from notifications.models import OutboxMessage
from tests.commitments.obligations.conftest import DUE_DATE, at
from tests.commitments.obligations.test_reports import PDF
from tests.workflows.conftest import submit_commitment
from workflows.lists.models import SavedListFilter

# The obligations' warnings, not the e-mails that notifications of the submission wrote.
WARNINGS = OutboxMessage.objects.filter(key__startswith="warning:")

AFTER_GRACE = at(datetime.date(2026, 4, 8), 0, 5)


def test_the_applicant_sees_every_deadline(
    client, world, obligation, django_assert_max_num_queries
):
    client.force_login(world.applicant)

    # eight, and one for the filters the applicant may have left on the list
    with django_assert_max_num_queries(9):
        response = client.get(reverse("commitments:obligations"))

    assert response.status_code == 200
    rows = response.context["obligations"]
    assert [(o.pk, o.due_date) for o in rows] == [(obligation.pk, DUE_DATE)]
    assert "2026-03-30" in response.content.decode()


def test_the_list_costs_the_same_queries_with_more_obligations(
    client, world, signed, django_assert_max_num_queries
):
    with time_machine.travel(at(datetime.date(2026, 3, 3), 10), tick=False):
        submit_commitment(world)
        submit_commitment(world)
    client.force_login(world.applicant)

    with django_assert_max_num_queries(9):
        response = client.get(reverse("commitments:obligations"))

    assert len(response.context["obligations"]) == 3


def test_someone_else_gets_a_404(client, world, obligation):
    client.force_login(world.stranger)

    response = client.get(reverse("commitments:obligation", args=[obligation.pk]))

    assert response.status_code == 404


def test_the_detail_page_shows_deadline_extensions_and_warnings(client, world, obligation):
    client.force_login(world.applicant)

    response = client.get(reverse("commitments:obligation", args=[obligation.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="report-form"' in page
    assert 'data-testid="extend-form"' not in page
    assert len(response.context["schedule"]) == 6


def test_the_applicant_reports_performance_with_a_file(client, world, obligation):
    client.force_login(world.applicant)

    response = client.post(
        reverse("commitments:obligation_report", args=[obligation.pk]),
        {"text": "已取得租赁合同", "files": [SimpleUploadedFile("合同.pdf", PDF)]},
    )

    assert response.status_code == 302
    report = PerformanceReport.objects.get(obligation=obligation)
    assert [e.original_name for e in report.evidence.all()] == ["合同.pdf"]
    evidence = report.evidence.get()
    download = client.get(reverse("commitments:evidence", args=[evidence.pk]))
    assert b"".join(download.streaming_content) == PDF
    client.force_login(world.stranger)
    assert client.get(reverse("commitments:evidence", args=[evidence.pk])).status_code == 404


def test_a_report_after_the_breach_says_why_and_records_nothing(client, world, obligation):
    with time_machine.travel(AFTER_GRACE, tick=False):
        obligation_warnings_sweep()
    client.force_login(world.applicant)

    response = client.post(
        reverse("commitments:obligation_report", args=[obligation.pk]),
        {"text": "补交"},
        follow=True,
    )

    assert PerformanceReport.objects.count() == 0
    message = [str(m) for m in response.context["messages"]]
    assert message[0].startswith("A breach has already been recorded for this obligation")
    assert 'data-testid="breached-notice"' in response.content.decode()


def test_an_extension_into_the_past_is_shown_on_the_form(client, world, obligation):
    client.force_login(world.regulator)

    with time_machine.travel(at(datetime.date(2026, 3, 20)), tick=False):
        response = client.post(
            reverse("commitments:obligation_extend", args=[obligation.pk]),
            {"new_due_date": "2026-03-01", "reason": "理由"},
        )

    assert response.status_code == 400
    assert response.context["extend_form"].errors == {
        "new_due_date": ["The new due date cannot be in the past."]
    }
    page = response.content.decode()
    summary = page.split('data-testid="error-summary"')[1].split("</div>")[0]
    assert '<a href="#id_new_due_date">The new due date cannot be in the past.</a>' in summary
    assert '<details data-testid="extend" open>' in page
    assert Obligation.objects.get(pk=obligation.pk).due_date == DUE_DATE
    assert DeadlineExtension.objects.count() == 0


def test_an_officer_extends_through_the_page(client, world, obligation):
    client.force_login(world.regulator)

    with time_machine.travel(at(datetime.date(2026, 3, 20)), tick=False):
        response = client.post(
            reverse("commitments:obligation_extend", args=[obligation.pk]),
            {"new_due_date": "2026-04-30", "reason": "疫情影响"},
        )

    assert response.status_code == 302
    assert Obligation.objects.get(pk=obligation.pk).due_date == datetime.date(2026, 4, 30)


def test_officers_see_their_departments_deliveries(
    client, world, obligation, django_assert_max_num_queries
):
    with time_machine.travel(at(datetime.date(2026, 3, 31), 9, 1), tick=False):
        obligation_warnings_sweep()
    total = WARNINGS.count()
    client.force_login(world.regulator)

    with django_assert_max_num_queries(10):
        response = client.get(reverse("commitments:deliveries"))

    assert response.status_code == 200
    assert len(response.context["deliveries"]) == total
    dead = client.get(reverse("commitments:deliveries"), {"status": "dead"})
    assert [m.channel for m in dead.context["deliveries"]] == ["sms"]

    client.force_login(world.foreign_regulator)
    assert len(client.get(reverse("commitments:deliveries")).context["deliveries"]) == 0


@pytest.mark.parametrize(
    ("route", "who", "other_person", "status", "list_name"),
    [
        ("commitments:deliveries", "regulator", "other_regulator", "dead", "deliveries"),
        ("commitments:obligations", "applicant", "regulator", "fulfilled", "my-obligations"),
    ],
)
def test_a_status_filter_is_remembered_per_person_until_cleared(
    client, world, obligation, route, who, other_person, status, list_name
):
    with time_machine.travel(at(datetime.date(2026, 3, 31), 9, 1), tick=False):
        obligation_warnings_sweep()
    url = reverse(route)
    user = getattr(world, who)
    client.force_login(user)

    filtered = client.get(url, {"status": status}).content.decode()
    again = client.get(url)
    other = Client()
    other.force_login(getattr(world, other_person))

    assert 'data-testid="clear-filters"' in filtered
    assert again.status_code == 302 and again["Location"] == f"{url}?status={status}"
    assert SavedListFilter.objects.get(user=user, list_name=list_name).query == f"status={status}"
    assert other.get(url).status_code == 200  # another person's filters are their own
    cleared = client.get(url, {"clear": "1"})
    assert cleared.status_code == 302 and cleared["Location"] == url
    assert client.get(url).status_code == 200
    assert not SavedListFilter.objects.filter(user=user).exists()


def test_the_delivery_filter_is_folded_and_an_applicants_empty_match_says_so(
    client, world, obligation
):
    client.force_login(world.regulator)
    deliveries = client.get(reverse("commitments:deliveries"), {"status": "dead"})
    client.force_login(world.applicant)
    # the one obligation is still pending
    obligations = client.get(reverse("commitments:obligations"), {"status": "fulfilled"})

    assert '<details class="filter-fold" data-testid="filter-fold">' in deliveries.content.decode()
    assert 'data-testid="no-match"' in obligations.content.decode()
    assert obligation.status == "pending"


@pytest.mark.parametrize("who", ["applicant", "stranger"])
def test_the_delivery_page_is_for_officers_only(client, world, who):
    client.force_login(getattr(world, who))

    assert client.get(reverse("commitments:deliveries")).status_code == 404
