"""The report request page: a day that is not a date is refused on the form and logged."""

from __future__ import annotations

from django.test import Client

from credit.check.models import REPORT_PURPOSE, CheckQuery
from credit.reports.models import CreditReport


def test_a_day_that_is_not_a_date_is_shown_on_the_form_and_logged(world):
    client = Client()
    client.force_login(world.applicant)

    response = client.post(
        "/reports/",
        {"subject": world.subject.code, "span_from": "2026-13-01", "span_until": "2026-12-01"},
    )

    assert response.status_code == 400
    assert response.context["error"].field == "span_from"
    assert not CreditReport.objects.exists()
    [logged] = CheckQuery.objects.filter(purpose=REPORT_PURPOSE)
    assert (logged.answer["field"], logged.answer["span_from"]) == ("span_from", "2026-13-01")
    assert logged.answer["requested_by"] == world.applicant.pk
