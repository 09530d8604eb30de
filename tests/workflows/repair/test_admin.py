"""The back office shows every repair and objection case, its proofs and its history, and
changes none of them: the cases are legal records that change only through the services."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from directory.calendar import add_working_days
from tests.factories import ObjectionFactory, RepairApplicationFactory, UserFactory
from workflows.repair.models import Objection, RepairApplication, RepairProof


@pytest.fixture
def admin_client_(world) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(UserFactory(username="admin", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def cases(world):
    application = RepairApplicationFactory(breach__subject=world.subject)
    RepairProof.objects.create(
        application=application, name="receipt.pdf", content_type="application/pdf", size=4
    )
    objection = ObjectionFactory(breach__subject=world.subject)
    return application, objection


@pytest.mark.parametrize(
    "model", ["workflows_repairapplication", "workflows_repairproof", "workflows_objection"]
)
def test_every_changelist_opens_and_offers_no_add(admin_client_, cases, model):
    response = admin_client_.get(reverse(f"admin:{model}_changelist"))

    assert response.status_code == 200
    assert admin_client_.get(reverse(f"admin:{model}_add")).status_code == 403


def test_a_case_is_shown_read_only_with_its_proofs_and_history(admin_client_, cases):
    application, objection = cases

    page = admin_client_.get(
        reverse("admin:workflows_repairapplication_change", args=[application.pk])
    )
    history = admin_client_.get(
        reverse("admin:workflows_repairapplication_history", args=[application.pk])
    )

    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="statement"' not in html and "receipt.pdf" in html
    assert history.status_code == 200
    response = admin_client_.post(
        reverse("admin:workflows_objection_change", args=[objection.pk]),
        {"grounds": "changed", "kind": "duration"},
    )
    assert response.status_code == 403
    assert Objection.objects.get(pk=objection.pk).grounds == objection.grounds
    delete = admin_client_.post(
        reverse("admin:workflows_repairapplication_delete", args=[application.pk]),
        {"post": "yes"},
    )
    assert delete.status_code == 403
    assert RepairApplication.objects.filter(pk=application.pk).exists()


def test_a_repair_applications_due_dates_read_as_words(admin_pages, cases):
    application, _objection = cases
    on = date(2026, 12, 1)
    application.due_basis = {
        "feedback": add_working_days(on, 10).as_basis(),
        "decision": add_working_days(on, 3).as_basis(),
    }
    application.save()
    url = reverse("admin:workflows_repairapplication_change", args=[application.pk])

    english, chinese = admin_pages(url)

    assert '<th scope="row">Feedback</th><td>10 working days after 2026-12-01' in english
    assert '<th scope="row">决定</th><td>自2026-12-01起按法定工作日计算3个工作日' in chinese
    assert "working_days" not in chinese and "skipped" not in chinese


def test_an_objection_shows_the_records_prior_status_by_its_label(admin_pages, cases):
    _application, objection = cases
    url = reverse("admin:workflows_objection_change", args=[objection.pk])

    english, chinese = admin_pages(url)

    assert "公示中" in chinese
    assert "Published" in english
    assert objection.breach_status_before == "published"  # stored as the code
