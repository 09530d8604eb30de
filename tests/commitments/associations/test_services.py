"""Bulk issue from a members' file: upload refusals, each row's outcome, resuming after a
crash without importing a row twice, and reminders once a day."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from commitments.associations.models import BulkIssue, BulkIssueRow, MemberReminder
from commitments.associations.services.issue import bulk_issue_process, bulk_issue_upload
from commitments.associations.services.reminders import members_remind
from commitments.errors import CommitmentError
from commitments.lifecycle.models import Commitment
from notifications.models import Notification, OutboxMessage
from tests.commitments.associations.conftest import csv_bytes, member_row, upload
from tests.factories import SubjectFactory, UserFactory, make_uscc


def _upload(guild, data: bytes, *, by=None) -> BulkIssue:
    return bulk_issue_upload(
        by=by or guild.officer,
        association=guild.association,
        template=guild.template,
        upload=upload(data),
        original_name="members.csv",
    )


def _outcomes(bulk: BulkIssue) -> list[tuple[int, str, list[str]]]:
    return [
        (row.line_number, row.outcome, [reason["code"] for reason in row.reasons])
        for row in bulk.rows.order_by("line_number")
    ]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_each_member_gets_a_draft_to_sign_in_any_encoding(guild, encoding):
    bulk = _upload(guild, csv_bytes([member_row(m) for m in guild.members], encoding=encoding))
    assert (bulk.encoding, bulk.total_rows, bulk.status) == (encoding, 3, "queued")

    bulk = bulk_issue_process(bulk_issue_id=bulk.pk)

    assert (bulk.status, bulk.rows_done, bulk.issued_count, bulk.rejected_count) == (
        "done",
        3,
        3,
        0,
    )
    drafts = Commitment.objects.filter(template=guild.template)
    assert sorted(drafts.values_list("subject__name", "status")) == sorted(
        (m.name, "draft") for m in guild.members
    )
    assert {c.created_by for c in drafts} == {guild.officer}
    row = bulk.rows.get(line_number=2)
    assert row.contact == {"contact": "王经理", "phone": "13800000000"}


def test_each_bad_row_gets_its_own_reason_and_good_rows_go_in(guild):
    first, second, third = guild.members
    wrong = first.code[:-1] + ("0" if first.code[-1] != "0" else "1")
    rows = [
        member_row(first),  # 2 good
        [wrong, first.name, "", ""],  # 3 checksum
        member_row(guild.outsider),  # 4 not a member
        member_row(first),  # 5 duplicate of row 2
        [second.code, "别的名字", "", ""],  # 6 name differs
        [make_uscc(), "", "", ""],  # 7 no name
        [third.code, third.name, "", "", "多余"],  # 8 extra value
        member_row(third),  # 9 good
    ]
    bulk = bulk_issue_process(bulk_issue_id=_upload(guild, csv_bytes(rows)).pk)

    assert _outcomes(bulk) == [
        (2, "issued", []),
        (3, "rejected", ["code_checksum"]),
        (4, "rejected", ["not_member"]),
        (5, "rejected", ["duplicate"]),
        (6, "rejected", ["name_mismatch"]),
        (7, "rejected", ["name_missing"]),
        (8, "rejected", ["extra_cells"]),
        (9, "issued", []),
    ]
    assert (bulk.issued_count, bulk.rejected_count) == (2, 6)
    assert Commitment.objects.filter(template=guild.template).count() == 2


def test_a_second_file_does_not_issue_the_same_pledge_again(guild):
    data = csv_bytes([member_row(guild.members[0])])
    bulk_issue_process(bulk_issue_id=_upload(guild, data).pk)

    again = bulk_issue_process(bulk_issue_id=_upload(guild, data).pk)

    assert _outcomes(again) == [(2, "rejected", ["already_issued"])]
    assert Commitment.objects.filter(template=guild.template).count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("统一社会信用代码,名称,备注\n".encode(), "备注"),
        ("名称\n公司\n".encode(), "统一社会信用代码"),
        ("统一社会信用代码,名称\n".encode(), "no member rows"),
        ("统一社会信用代码,名称\n".encode("utf-16"), "neither UTF-8 nor GB18030"),
    ],
    ids=["unknown column", "missing column", "no rows", "utf-16"],
)
def test_an_unreadable_file_is_refused_whole_and_nothing_is_kept(guild, english, data, message):
    with pytest.raises(CommitmentError) as refused:
        _upload(guild, data)
    assert (refused.value.field, message in refused.value.message) == ("file", True)
    assert BulkIssue.objects.count() == 0


def test_only_an_officer_of_the_association_may_upload(guild):
    with pytest.raises(CommitmentError) as refused:
        _upload(guild, csv_bytes([member_row(guild.members[0])]), by=UserFactory())
    assert refused.value.code == "not_found"
    assert BulkIssue.objects.count() == 0


def test_a_template_of_another_kind_is_refused(guild, world):
    with pytest.raises(CommitmentError) as refused:
        bulk_issue_upload(
            by=guild.officer,
            association=guild.association,
            template=world.template,
            upload=upload(csv_bytes([member_row(guild.members[0])])),
            original_name="m.csv",
        )
    assert refused.value.field == "template"
    assert BulkIssue.objects.count() == 0


class Crash(Exception):
    """A worker dying after a chunk committed."""


def _many_members(guild, count: int) -> list:
    subjects = [SubjectFactory(region=guild.association.region) for _n in range(count)]
    for subject in subjects:
        guild.association.members.create(subject=subject, joined_on=datetime.date(2026, 1, 1))
    return subjects


def test_a_run_killed_mid_file_resumes_at_its_first_unprocessed_row(guild, settings):
    settings.ASSOCIATION_BULK_CHUNK_ROWS = 3
    subjects = _many_members(guild, 10)
    bulk = _upload(guild, csv_bytes([member_row(s) for s in subjects]))

    def crash(done):
        if done == 6:
            raise Crash

    with pytest.raises(Crash):
        bulk_issue_process(bulk_issue_id=bulk.pk, after_chunk=crash)
    bulk.refresh_from_db()
    assert (bulk.status, bulk.rows_done, bulk.rows.count()) == ("running", 6, 6)

    bulk = bulk_issue_process(bulk_issue_id=bulk.pk)

    assert (bulk.status, bulk.rows_done, bulk.issued_count) == ("done", 10, 10)
    assert list(bulk.rows.values_list("line_number", flat=True)) == list(range(2, 12))
    assert Commitment.objects.filter(template=guild.template).count() == 10
    assert bulk_issue_process(bulk_issue_id=bulk.pk).issued_count == 10  # finished: nothing


def test_a_run_that_finds_its_chunk_taken_stops_without_writing(guild, settings):
    settings.ASSOCIATION_BULK_CHUNK_ROWS = 2
    subjects = _many_members(guild, 4)
    bulk = _upload(guild, csv_bytes([member_row(s) for s in subjects]))
    seen = []

    def another_worker_overtakes(done):
        if not seen:
            seen.append(done)
            BulkIssue.objects.filter(pk=bulk.pk).update(rows_done=4)

    bulk = bulk_issue_process(bulk_issue_id=bulk.pk, after_chunk=another_worker_overtakes)

    assert (bulk.status, bulk.rows.count()) == ("running", 2)
    assert Commitment.objects.filter(template=guild.template).count() == 2


def test_the_database_refuses_a_row_twice(guild):
    bulk = bulk_issue_process(
        bulk_issue_id=_upload(guild, csv_bytes([member_row(guild.outsider)])).pk
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        BulkIssueRow.objects.create(bulk_issue=bulk, line_number=2, outcome="rejected")


def test_unsigned_members_are_reminded_once_a_day(guild):
    represented, unrepresented = guild.members[0], guild.members[1]
    bulk_issue_process(
        bulk_issue_id=_upload(
            guild, csv_bytes([member_row(represented), member_row(unrepresented)])
        ).pk
    )
    now = timezone.now()

    first = members_remind(by=guild.officer, association=guild.association, now=now)
    second = members_remind(by=guild.officer, association=guild.association, now=now)

    assert (first.reminded, first.without_representative) == (1, 1)
    assert (second.reminded, second.already_today) == (0, 1)
    notification = Notification.objects.get(key__startswith="association:")
    assert notification.recipient.username == "applicant"
    assert OutboxMessage.objects.filter(key=f"notification:{notification.pk}:email").count() == 1
    tomorrow = members_remind(
        by=guild.officer, association=guild.association, now=now + datetime.timedelta(days=1)
    )
    assert tomorrow.reminded == 1
    assert MemberReminder.objects.count() == 2


def test_a_stranger_may_not_send_reminders(guild):
    with pytest.raises(CommitmentError):
        members_remind(by=UserFactory(), association=guild.association)
    assert MemberReminder.objects.count() == 0
