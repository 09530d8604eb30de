"""A members' file processed in small chunks (ADR 0033): every kind of bad row gets its own
outcome wherever the chunk boundaries fall, a chunk costs the same queries whatever its number
of rows, and the drafts issued together are attributable like any other."""

from __future__ import annotations

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from commitments.associations.models import BulkIssue
from commitments.associations.services.issue import bulk_issue_process, bulk_issue_upload
from commitments.lifecycle.models import Commitment
from tests.commitments.associations.conftest import csv_bytes, member_row, upload
from tests.factories import (
    BreachFactory,
    MeasureFactory,
    MeasureTypeFactory,
    RegionFactory,
    SubjectFactory,
)


def _process(guild, rows, **process) -> BulkIssue:
    bulk = bulk_issue_upload(
        by=guild.officer,
        association=guild.association,
        template=guild.template,
        upload=upload(csv_bytes(rows, encoding="gb18030")),
        original_name="members.csv",
    )
    return bulk_issue_process(bulk_issue_id=bulk.pk, **process)


def _join(guild, subject, *, active: bool = True):
    guild.association.members.create(
        subject=subject, joined_on=datetime.date(2026, 1, 1), is_active=active
    )
    return subject


def test_each_bad_row_has_its_outcome_whatever_chunk_it_falls_in(guild, settings):
    settings.ASSOCIATION_BULK_CHUNK_ROWS = 3
    first, second, third = guild.members
    left = _join(guild, SubjectFactory(region=guild.association.region), active=False)
    excluded = _join(guild, SubjectFactory(region=guild.association.region))
    MeasureFactory(
        breach=BreachFactory(subject=excluded),
        measure_type=MeasureTypeFactory(no_commitment=True),
    )
    elsewhere = RegionFactory(code="650100", name="乌鲁木齐市", name_en="Urumqi")
    far = _join(guild, SubjectFactory(region=elsewhere))
    rows = [
        member_row(first),  # 2 issued                           chunk 1
        member_row(guild.outsider),  # 3 not a member
        member_row(left),  # 4 left the association
        member_row(excluded),  # 5 on an excluding list          chunk 2
        member_row(first),  # 6 duplicate of row 2 (another chunk)
        member_row(excluded),  # 7 the same member again: the same reason
        member_row(far),  # 8 no department in its region        chunk 3
        member_row(second),  # 9 issued
        member_row(second),  # 10 duplicate in the same chunk
        member_row(third),  # 11 issued                           chunk 4
    ]
    committed = []

    bulk = _process(guild, rows, after_chunk=committed.append)

    assert committed == [3, 6, 9]  # the last, short chunk commits before the file is done
    assert [
        (row.line_number, row.outcome, [reason["code"] for reason in row.reasons])
        for row in bulk.rows.order_by("line_number")
    ] == [
        (2, "issued", []),
        (3, "rejected", ["not_member"]),
        (4, "rejected", ["not_member"]),
        (5, "rejected", ["excluded"]),
        (6, "rejected", ["duplicate"]),
        (7, "rejected", ["excluded"]),
        (8, "rejected", ["no_department"]),
        (9, "issued", []),
        (10, "rejected", ["duplicate"]),
        (11, "issued", []),
    ]
    assert (bulk.status, bulk.rows_done, bulk.issued_count, bulk.rejected_count) == (
        "done",
        10,
        3,
        7,
    )
    drafts = Commitment.objects.filter(template=guild.template)
    assert sorted(drafts.values_list("subject_id", flat=True)) == sorted(
        [first.pk, second.pk, third.pk]
    )
    assert {row.commitment.subject_id for row in bulk.rows.filter(outcome="issued")} == {
        first.pk,
        second.pk,
        third.pk,
    }


def _queries_for(guild, count: int) -> int:
    subjects = [
        _join(guild, SubjectFactory(region=guild.association.region)) for _n in range(count)
    ]
    with CaptureQueriesContext(connection) as queries:
        bulk = _process(guild, [member_row(s) for s in subjects])
    assert bulk.issued_count == count
    return len(queries)


def test_a_chunk_costs_the_same_queries_for_5_rows_as_for_40(guild, settings):
    settings.ASSOCIATION_BULK_CHUNK_ROWS = 100
    assert _queries_for(guild, 5) == _queries_for(guild, 40)


def test_drafts_issued_together_are_attributed_to_the_officer(guild):
    bulk = _process(guild, [member_row(m) for m in guild.members])

    draft = bulk.rows.get(line_number=2).commitment
    (created,) = draft.history.all()
    assert (created.history_type, created.history_user, created.history_change_reason) == (
        "+",
        guild.officer,
        "draft created",
    )
    assert (created.status, created.reference, created.created_by_id) == (
        "draft",
        draft.reference,
        guild.officer.pk,
    )
    references = set(Commitment.objects.values_list("reference", flat=True))
    assert len(references) == 3 and all(r.startswith("CN") for r in references)


def test_a_template_closed_after_upload_refuses_every_row_and_issues_nothing(guild):
    bulk = bulk_issue_upload(
        by=guild.officer,
        association=guild.association,
        template=guild.template,
        upload=upload(csv_bytes([member_row(m) for m in guild.members])),
        original_name="members.csv",
    )
    guild.template.__class__.objects.filter(pk=guild.template.pk).update(status="retired")

    bulk = bulk_issue_process(bulk_issue_id=bulk.pk)

    assert (bulk.status, bulk.issued_count, bulk.rejected_count) == ("done", 0, 3)
    assert {tuple(r["code"] for r in row.reasons) for row in bulk.rows.all()} == {("refused",)}
    assert not Commitment.objects.filter(template=guild.template).exists()
