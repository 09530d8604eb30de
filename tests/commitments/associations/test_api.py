"""The associations' API: upload a members' file, follow it, read each row's outcome, see who
signed and remind; refusals in the JSON error envelope; other callers find nothing."""

from __future__ import annotations

from unittest import mock

from commitments.associations.models import BulkIssue
from commitments.associations.services.issue import bulk_issue_process
from commitments.lifecycle.models import Commitment
from tests.commitments.associations.conftest import csv_bytes, member_row, upload
from tests.factories import SignedDocumentFactory

BASE = "/api/v1/associations/sz-catering"


def _post_file(client, guild, data: bytes, template: str | None = None):
    with mock.patch("commitments.associations.api.task_kick_on_commit") as kick:
        response = client.post(
            f"{BASE}/bulk-issues/create/",
            {"template": template or guild.template.code, "file": upload(data)},
            format="multipart",
        )
    return response, kick


def test_an_officer_uploads_follows_and_reads_each_row(guild, api_as):
    client = api_as(guild.officer)
    data = csv_bytes([member_row(guild.members[0]), member_row(guild.outsider)], encoding="gb18030")

    response, kick = _post_file(client, guild, data)

    assert response.status_code == 202, response.json()
    body = response.json()
    assert (body["status"], body["encoding"], body["total_rows"]) == ("queued", "gb18030", 2)
    kick.assert_called_once()
    bulk_issue_process(bulk_issue_id=body["id"])  # what the kicked worker does
    detail = client.get(f"{BASE}/bulk-issues/{body['id']}/").json()
    assert (detail["status"], detail["percent"], detail["issued"], detail["rejected"]) == (
        "done",
        100,
        1,
        1,
    )
    rows = client.get(f"{BASE}/bulk-issues/{body['id']}/rows/?outcome=rejected").json()
    assert [(r["line_number"], [x["code"] for x in r["reasons"]]) for r in rows["results"]] == [
        (3, ["not_member"])
    ]
    assert rows["results"][0]["reasons"][0]["message"]
    listing = client.get(f"{BASE}/bulk-issues/").json()
    assert [item["id"] for item in listing["results"]] == [body["id"]]
    assert client.get("/api/v1/associations/").json()["results"][0]["code"] == "sz-catering"


def test_members_signed_and_unsigned_and_a_reminder(guild, api_as):
    client = api_as(guild.officer)
    response, _kick = _post_file(
        client, guild, csv_bytes([member_row(m) for m in guild.members[:2]])
    )
    bulk_issue_process(bulk_issue_id=response.json()["id"])
    signed = Commitment.objects.get(subject=guild.members[1], template=guild.template)
    Commitment.objects.filter(pk=signed.pk).update(
        status="signed", signed_at="2026-12-05T02:00Z", signed_document=SignedDocumentFactory()
    )

    unsigned = client.get(f"{BASE}/members/?state=unsigned").json()
    signed_list = client.get(f"{BASE}/members/?state=signed").json()
    reminded = client.post(f"{BASE}/reminders/")

    assert [r["subject"]["code"] for r in unsigned["results"]] == [guild.members[0].code]
    assert [r["subject"]["code"] for r in signed_list["results"]] == [guild.members[1].code]
    assert reminded.json() == {"reminded": 1, "already_today": 0, "without_representative": 0}
    again = client.post(f"{BASE}/reminders/").json()
    assert again == {"reminded": 0, "already_today": 1, "without_representative": 0}


def test_a_bad_file_is_refused_in_the_envelope_and_nothing_is_kept(guild, api_as):
    response, kick = _post_file(
        api_as(guild.officer), guild, "统一社会信用代码,名称,备注\n".encode()
    )
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], list(body["fields"])) == ("invalid", ["file"])
    assert BulkIssue.objects.count() == 0
    kick.assert_not_called()


def test_an_unknown_template_is_refused(guild, api_as):
    response, _kick = _post_file(
        api_as(guild.officer), guild, csv_bytes([member_row(guild.members[0])]), "nope"
    )
    assert (response.status_code, list(response.json()["fields"])) == (400, ["template"])


def test_a_bad_filter_is_refused(guild, api_as):
    response = api_as(guild.officer).get(f"{BASE}/members/?state=maybe")
    assert (response.status_code, response.json()["code"]) == (400, "invalid")


def test_anyone_else_finds_no_association(guild, api_as, world):
    client = api_as(world.applicant)  # a member's representative, not an officer
    assert client.get(f"{BASE}/members/").status_code == 404
    assert client.post(f"{BASE}/reminders/").status_code == 404
    response, _kick = _post_file(client, guild, csv_bytes([member_row(guild.members[0])]))
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert BulkIssue.objects.count() == 0
    assert client.get("/api/v1/associations/").json()["results"] == []
