"""The back office for "check every case": calling systems are editable, the log is not."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import CheckQueryFactory, UserFactory


@pytest.fixture
def admin_client_(db) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(UserFactory(username="admin", is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("model", ["callingsystem", "checkquery"])
def test_every_changelist_opens(admin_client_, model):
    response = admin_client_.get(reverse(f"admin:credit_{model}_changelist"))

    assert response.status_code == 200


def test_a_logged_check_is_read_only(admin_client_):
    query = CheckQueryFactory()

    page = admin_client_.get(reverse("admin:credit_checkquery_change", args=[query.pk]))
    system = admin_client_.get(
        reverse("admin:credit_callingsystem_change", args=[query.calling_system_id])
    )

    assert 'name="reason"' not in page.content.decode()
    assert 'name="is_active"' in system.content.decode()


def test_a_logged_checks_history_page_opens(admin_client_):
    # given a check in the log, which keeps no simple-history table
    query = CheckQueryFactory()

    # when the administrator opens its history
    response = admin_client_.get(reverse("admin:credit_checkquery_history", args=[query.pk]))

    # then the page answers, listing no change (it answered 500)
    assert response.status_code == 200
    assert "This object doesn’t have a change history" in response.content.decode()


def test_a_reports_log_row_reads_its_reason_and_answer_in_the_readers_language(admin_pages):
    query = CheckQueryFactory(
        reason="special credit report SR-2026-0001 requested by applicant",
        answer={"report": "SR-2026-0001", "entries": 4, "red_listed": False},
    )
    url = reverse("admin:credit_checkquery_change", args=[query.pk])

    english, chinese = admin_pages(url)

    assert "requested by" not in chinese and "SR-2026-0001" in chinese
    assert '<th scope="row">条目数</th><td>4</td>' in chinese
    assert '<th scope="row">列入红名单</th><td>否</td>' in chinese
    assert "special credit report SR-2026-0001 requested by applicant" in english
    assert '<th scope="row">Entries</th><td>4</td>' in english
