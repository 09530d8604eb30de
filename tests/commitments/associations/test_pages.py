"""The association's pages: upload, progress (polled), results, members and reminders."""

from __future__ import annotations

from unittest import mock

from django.test import Client

from commitments.associations.models import BulkIssue, MemberReminder
from commitments.associations.services.issue import bulk_issue_process
from tests.commitments.associations.conftest import csv_bytes, member_row, upload

BASE = "/associations/sz-catering"


def _client(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def test_an_officer_uploads_and_sees_progress_then_each_row(guild):
    client = _client(guild.officer)
    with mock.patch("commitments.associations.pages.task_kick_on_commit") as kick:
        response = client.post(
            f"{BASE}/issues/new/",
            {
                "template": guild.template.pk,
                "file": upload(
                    csv_bytes([member_row(guild.members[0]), member_row(guild.outsider)])
                ),
            },
        )
    bulk = BulkIssue.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{BASE}/issues/{bulk.pk}/"
    kick.assert_called_once()
    assert client.get(f"{BASE}/issues/{bulk.pk}/progress.json").json()["rows_done"] == 0

    bulk_issue_process(bulk_issue_id=bulk.pk)

    progress = client.get(f"{BASE}/issues/{bulk.pk}/progress.json").json()
    assert (progress["finished"], progress["issued"], progress["rejected"]) == (True, 1, 1)
    page = client.get(f"{BASE}/issues/{bulk.pk}/?outcome=rejected").content.decode()
    assert "This company is not a member of the association." in page
    results = b"".join(client.get(f"{BASE}/issues/{bulk.pk}/rows.csv").streaming_content)
    assert (
        results.decode("utf-8-sig")
        .splitlines()[2]
        .endswith("Rejected,This company is not a member of the association.")
    )


def test_a_bad_file_re_renders_the_form_with_the_reason(guild):
    response = _client(guild.officer).post(
        f"{BASE}/issues/new/",
        {"template": guild.template.pk, "file": upload("名称\n公司\n".encode())},
    )
    assert response.status_code == 400
    assert "The file needs the column" in response.content.decode()
    assert BulkIssue.objects.count() == 0


def test_members_page_counts_lists_exports_and_reminds(guild):
    client = _client(guild.officer)
    bulk_issue_process(
        bulk_issue_id=BulkIssue.objects.create(
            association=guild.association,
            template=guild.template,
            uploaded_by=guild.officer,
            file="none.csv",
            original_name="m.csv",
            sha256="0" * 64,
            encoding="utf-8",
            columns=["code", "name"],
            total_rows=0,
        ).pk
    )
    page = client.get(f"{BASE}/members/")
    assert page.status_code == 200
    response = client.post(f"{BASE}/members/remind/")
    assert response.status_code == 302
    assert MemberReminder.objects.count() == 0
    exported = b"".join(client.get(f"{BASE}/members.csv").streaming_content).decode("utf-8-sig")
    assert exported.splitlines() == ["Unified social credit code,Name,Pledge,Reference,Signed"]


def test_a_stranger_finds_nothing(guild, world):
    client = _client(world.applicant)
    for path in ("/", "/members/", "/issues/new/", "/members.csv"):
        assert client.get(f"{BASE}{path}").status_code == 404
    assert client.post(f"{BASE}/members/remind/").status_code == 404


def test_an_officer_lands_on_the_associations(guild):
    response = _client(guild.officer).get("/")
    assert response["Location"] == "/associations/"
