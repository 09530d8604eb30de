"""The back office shows tenders and pledges with their history, and changes none of them."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from commitments.pledges.models import BidPledge, Tender
from tests.factories import BidPledgeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(world) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(UserFactory(username="admin", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def pledge(world, today) -> BidPledge:
    return BidPledgeFactory(
        tender__department=world.department, subject=world.subject, pledged_by=world.applicant
    )


@pytest.mark.parametrize("model", ["commitments_tender", "commitments_bidpledge"])
def test_every_changelist_opens(admin_client_, pledge, model):
    response = admin_client_.get(reverse(f"admin:{model}_changelist"))

    assert response.status_code == 200
    assert pledge.tender.reference in response.content.decode()


@pytest.mark.parametrize(
    ("model", "attribute"), [("commitments_tender", "tender"), ("commitments_bidpledge", "pk")]
)
def test_a_tender_and_a_pledge_are_shown_read_only(admin_client_, pledge, model, attribute):
    obj = pledge.tender if attribute == "tender" else pledge
    url = reverse(f"admin:{model}_change", args=[obj.pk])

    page = admin_client_.get(url)
    posted = admin_client_.post(url, {"title": "改名", "status": "released"})

    assert page.status_code == 200
    assert 'type="submit"' not in page.content.decode().split('id="content-main"')[1]
    assert posted.status_code == 403
    assert Tender.objects.get().title == pledge.tender.title
    assert BidPledge.objects.get().status == "pledged"


def test_nothing_is_added_or_deleted_here(admin_client_, pledge):
    add = admin_client_.get(reverse("admin:commitments_bidpledge_add"))
    delete = admin_client_.post(
        reverse("admin:commitments_tender_delete", args=[pledge.tender.pk]), {"post": "yes"}
    )

    assert (add.status_code, delete.status_code) == (403, 403)
    assert (Tender.objects.count(), BidPledge.objects.count()) == (1, 1)


def test_the_history_of_a_pledge_opens(admin_client_, pledge):
    response = admin_client_.get(reverse("admin:commitments_bidpledge_history", args=[pledge.pk]))

    assert response.status_code == 200
