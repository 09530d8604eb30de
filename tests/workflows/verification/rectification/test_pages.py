"""The rectification pages: the order is checked before it is recorded; a bad deadline is
refused at its field; the applicant's page is theirs only."""

from __future__ import annotations

import datetime

from django.utils import timezone

from tests.workflows.conftest import task_of
from workflows.verification.models import Rectification


def _post(client, task, **extra):
    data = {"method": "on_site", "gaps": "消毒柜未安装", "working_days": "5", **extra}
    return client.post(f"/regulator/tasks/{task.pk}/rectify/", data)


def test_the_order_is_shown_back_before_it_is_recorded(world, client, submitted_commitment):
    task = task_of(submitted_commitment)
    client.force_login(world.regulator)

    check = _post(client, task)
    assert check.status_code == 200
    assert b'data-testid="check-answers"' in check.content
    assert not Rectification.objects.exists()

    done = _post(client, task, confirm="1")
    assert done.status_code == 302
    assert Rectification.objects.get().gaps == "消毒柜未安装"


def test_a_past_date_is_refused_at_its_field(world, client, submitted_commitment):
    client.force_login(world.regulator)
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()

    answer = _post(client, task_of(submitted_commitment), working_days="", due_date=yesterday)

    assert answer.status_code == 400
    assert "The rectification deadline must be after today." in answer.content.decode()
    assert not Rectification.objects.exists()


def test_the_applicant_page_is_not_found_for_others(world, client, submitted_commitment):
    client.force_login(world.regulator)
    _post(client, task_of(submitted_commitment), confirm="1")
    reference = submitted_commitment.reference

    client.force_login(world.applicant)
    assert client.get(f"/commitments/{reference}/rectification/").status_code == 200
    client.force_login(world.stranger)
    assert client.get(f"/commitments/{reference}/rectification/").status_code == 404
    answer = client.post(f"/commitments/{reference}/rectification/", {"submission": "x"})
    assert answer.status_code == 404
    assert Rectification.objects.get().status == Rectification.Status.ORDERED


def test_the_applicant_submits_on_the_page(world, client, submitted_commitment):
    client.force_login(world.regulator)
    _post(client, task_of(submitted_commitment), confirm="1")
    client.force_login(world.applicant)
    reference = submitted_commitment.reference

    empty = client.post(f"/commitments/{reference}/rectification/", {"submission": ""})
    assert empty.status_code == 400
    done = client.post(f"/commitments/{reference}/rectification/", {"submission": "已安装"})
    assert done.status_code == 302
    assert Rectification.objects.get().status == Rectification.Status.SUBMITTED
    home = client.get("/commitments/")
    assert home.status_code == 200
