"""Bulk issue of a self-discipline pledge from a members' CSV file.

``bulk_issue_upload`` stores the file, refuses a file it cannot read whole (encoding, columns,
no rows) and records the issue, queued. ``bulk_issue_process`` (run by a worker) reads it row
by row, in chunks: each chunk's rows, their draft pledges and the advanced resume point
(``rows_done``) commit together, so a worker killed mid-file leaves nothing half done and the
next run continues at the first row without an outcome. A row's line in its file is unique
(``bulk_issue_row_once``): a chunk that another worker already committed is refused by the
database and this run stops. ``bulk_issues_resume`` re-queues issues a worker left behind.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from commitments.associations.models import (
    Association,
    AssociationMembership,
    BulkIssue,
    BulkIssueRow,
)
from commitments.associations.rows import (
    FileProblem,
    column_map,
    data_rows,
    detect_encoding,
    records,
    row_parse,
)
from commitments.associations.selectors import officer_check
from commitments.catalogue.models import CommitmentTemplate
from commitments.errors import CommitmentError, ErrorCode, invalid_input
from commitments.lifecycle.models import Commitment
from commitments.lifecycle.services.issue import IssueRequest, commitments_issue_many
from directory.audit import audited_save

MAX_FILE_BYTES = 64 * 1024 * 1024
STALLED_AFTER = timedelta(minutes=5)


def chunk_rows() -> int:
    """Rows committed together: ``ASSOCIATION_BULK_CHUNK_ROWS`` (default 200)."""
    return int(getattr(settings, "ASSOCIATION_BULK_CHUNK_ROWS", 200))


def file_problem_message(problem: FileProblem) -> str:
    messages = {
        "encoding": _(
            "The file is neither UTF-8 nor GB18030 text: save it from the spreadsheet as "
            "CSV (UTF-8 or GB18030) and upload it again."
        ),
        "unknown_column": _(
            "The column “%(column)s” is not one this upload knows. Use code, name, contact, "
            "phone, email or a field of the pledge."
        ),
        "repeated_column": _("The column “%(column)s” appears twice."),
        "missing_column": _("The file needs the column “%(column)s”."),
        "empty": _("The file has no member rows under its heading."),
        "too_large": _("The file is larger than 64 MB: split it into several files."),
    }
    return messages[problem.code] % {"column": problem.column}


def _template_check(template: CommitmentTemplate) -> None:
    if template.kind != CommitmentTemplate.Kind.SELF_DISCIPLINE:
        raise invalid_input("template", _("Choose an industry self-discipline template."))
    if template.status != CommitmentTemplate.Status.ACTIVE:
        raise CommitmentError(
            ErrorCode.TEMPLATE_NOT_ACTIVE,
            _("This commitment template is not open for use."),
            field="template",
        )


def _store(upload) -> tuple[str, str]:
    """Save the upload under a fresh name, hashing it on the way; return the name and hash."""
    if upload.size > MAX_FILE_BYTES:
        raise FileProblem("too_large")
    digest = hashlib.sha256()
    for block in upload.chunks():
        digest.update(block)
    upload.seek(0)
    name = default_storage.save(f"associations/uploads/{uuid.uuid4().hex}.csv", File(upload))
    return name, digest.hexdigest()


def _inspect(name: str, template: CommitmentTemplate) -> tuple[str, list[str], int]:
    """The stored file's encoding, columns and number of data rows (one streaming pass each)."""
    with default_storage.open(name, "rb") as stored:
        encoding = detect_encoding(stored)
        heading = next(records(stored, encoding=encoding), None)
        if heading is None:
            raise FileProblem("empty")
        columns = column_map(heading, template_fields=template.fields)
        total = sum(1 for _row in data_rows(stored, encoding=encoding))
    if not total:
        raise FileProblem("empty")
    return encoding, columns, total


def bulk_issue_upload(
    *,
    by: AbstractBaseUser,
    association: Association,
    template: CommitmentTemplate,
    upload,
    original_name: str,
) -> BulkIssue:
    """Record a members' file to issue ``template`` from, queued for a worker (an officer).

    A file that cannot be read whole is refused with the reason and nothing is kept.
    """
    officer_check(user=by, association=association)
    _template_check(template)
    if upload is None:
        raise invalid_input("file", _("Choose the CSV file of members to upload."))
    name = ""
    try:
        name, sha256 = _store(upload)
        encoding, columns, total = _inspect(name, template)
    except FileProblem as problem:
        if name:
            default_storage.delete(name)
        raise invalid_input("file", file_problem_message(problem)) from None
    bulk = BulkIssue(
        association=association,
        template=template,
        uploaded_by=by,
        file=name,
        original_name=(original_name or "members.csv")[:255],
        sha256=sha256,
        encoding=encoding,
        columns=columns,
        total_rows=total,
    )
    audited_save(bulk, by=by, reason="members' file uploaded")
    return bulk


def _issued_codes(bulk: BulkIssue, codes: set[str]) -> tuple[set[str], set[str]]:
    """Of ``codes``: those this file already issued to, and those an earlier file of the same
    association issued the same template to (not withdrawn)."""
    issued = BulkIssueRow.objects.filter(
        outcome=BulkIssueRow.Outcome.ISSUED, subject__code__in=codes
    ).exclude(commitment__status=Commitment.Status.WITHDRAWN)
    in_file = set(issued.filter(bulk_issue=bulk).values_list("subject__code", flat=True))
    earlier = set(
        issued.filter(
            bulk_issue__association_id=bulk.association_id,
            bulk_issue__template__code=bulk.template.code,
        )
        .exclude(bulk_issue=bulk)
        .values_list("subject__code", flat=True)
    )
    return in_file, earlier


ERROR_REASONS = {
    ErrorCode.SUBJECT_EXCLUDED: "excluded",
    ErrorCode.INVALID: "field_invalid",
}


def _refusal_reasons(error: CommitmentError) -> list[dict]:
    """A draft's refusal as the row's reason."""
    if error.field == "region":
        return [{"code": "no_department", "field": "code"}]
    return [{"code": ERROR_REASONS.get(error.code, "refused"), "field": error.field or ""}]


def _chunk_commit(bulk_id: int, first: int, chunk: list[tuple[int, list[str]]]) -> bool:
    """Give each row of the chunk its outcome and advance the resume point, in one
    transaction; False when another run already did (or the issue is no longer running)."""
    with transaction.atomic():
        bulk = (
            BulkIssue.objects.select_for_update()
            .select_related("template", "association__region", "uploaded_by")
            .get(pk=bulk_id)
        )
        if bulk.status != BulkIssue.Status.RUNNING or bulk.rows_done != first:
            return False
        parsed = [row_parse(line, cells, columns=bulk.columns) for line, cells in chunk]
        codes = {row.code for row in parsed if not row.reasons}
        members = {
            membership.subject.code: membership
            for membership in AssociationMembership.objects.filter(
                association_id=bulk.association_id, is_active=True, subject__code__in=codes
            ).select_related("subject__region")
        }
        in_file, earlier = _issued_codes(bulk, codes)
        # The rows that pass the file's and the association's checks, each member once ...
        candidates, first_rows, repeats = [], {}, []
        for row in parsed:
            member = members.get(row.code)
            if row.reasons:
                continue
            if member is None:
                row.refuse("not_member", "code")
            elif member.subject.name != row.name:
                row.refuse("name_mismatch", "name")
            elif row.code in first_rows:  # decided below: a duplicate if the first is issued
                repeats.append(row)
            elif row.code in in_file:
                row.refuse("duplicate", "code")
            elif row.code in earlier:
                row.refuse("already_issued", "code")
            else:
                first_rows[row.code] = row
                candidates.append(row)
        # ... then the draft's own checks and inserts for all of them at once.
        try:
            drafts = commitments_issue_many(
                by=bulk.uploaded_by,
                template=bulk.template,
                requests=[
                    IssueRequest(
                        subject=members[row.code].subject,
                        field_values=row.field_values,
                        region=members[row.code].subject.region or bulk.association.region,
                    )
                    for row in candidates
                ],
            )
        except CommitmentError as error:  # the template closed since the upload: every row
            drafts = [error] * len(candidates)
        issued_to = {}
        for row, draft in zip(candidates, drafts, strict=True):
            if isinstance(draft, CommitmentError):
                row.reasons = _refusal_reasons(draft)
            else:
                issued_to[row.line_number] = draft
        for row in repeats:  # a member refused on its first row is refused for the same reason
            row.reasons = list(first_rows[row.code].reasons) or [
                {"code": "duplicate", "field": "code"}
            ]
        outcomes = []
        for row in parsed:
            member, commitment = members.get(row.code), issued_to.get(row.line_number)
            outcomes.append(
                BulkIssueRow(
                    bulk_issue=bulk,
                    line_number=row.line_number,
                    code=row.code,
                    name=row.name,
                    subject=member.subject if member else None,
                    outcome=BulkIssueRow.Outcome.ISSUED if commitment else "rejected",
                    reasons=row.reasons,
                    contact=row.contact,
                    commitment=commitment,
                )
            )
        BulkIssueRow.objects.bulk_create(outcomes)
        issued = len(issued_to)
        BulkIssue.objects.filter(pk=bulk.pk).update(
            rows_done=first + len(chunk),
            issued_count=bulk.issued_count + issued,
            rejected_count=bulk.rejected_count + len(chunk) - issued,
            heartbeat_at=timezone.now(),
        )
    return True


def _transition(bulk_id: int, action: str, reason: str, **fields) -> BulkIssue:
    with transaction.atomic():
        bulk = BulkIssue.objects.select_for_update().get(pk=bulk_id)
        if action == "start" and bulk.is_finished:
            return bulk
        getattr(bulk, action)()
        for name, value in fields.items():
            setattr(bulk, name, value)
        audited_save(bulk, by=bulk.uploaded_by, reason=reason)
    return bulk


def bulk_issue_process(
    *, bulk_issue_id: int, after_chunk: Callable[[int], None] | None = None
) -> BulkIssue:
    """Process the file from its first row without an outcome to its end (idempotent).

    ``after_chunk`` is called with the rows done after each committed chunk (tests use it to
    stop a run the way a killed worker stops).
    """
    bulk = _transition(
        bulk_issue_id, "start", "members' file processing started", heartbeat_at=timezone.now()
    )
    if bulk.is_finished:
        return bulk
    size, done, chunk, first = chunk_rows(), bulk.rows_done, [], bulk.rows_done
    try:
        with default_storage.open(bulk.file.name, "rb") as stored:
            for index, row in enumerate(data_rows(stored, encoding=bulk.encoding)):
                if index < done:
                    continue
                if not chunk:
                    first = index
                chunk.append(row)
                if len(chunk) == size:
                    if not _chunk_commit(bulk.pk, first, chunk):
                        return BulkIssue.objects.get(pk=bulk.pk)
                    chunk = []
                    if after_chunk is not None:
                        after_chunk(index + 1)
            if chunk and not _chunk_commit(bulk.pk, first, chunk):
                return BulkIssue.objects.get(pk=bulk.pk)
    except (OSError, UnicodeDecodeError) as error:
        return _transition(bulk.pk, "fail", "members' file unreadable", failure=str(error)[:500])
    return _transition(bulk.pk, "finish", "members' file processed", finished_at=timezone.now())


def bulk_issues_stalled() -> list[int]:
    """Issues queued or running without progress for ``STALLED_AFTER``: a worker died."""
    before = timezone.now() - STALLED_AFTER
    stalled = BulkIssue.objects.filter(
        status__in=[BulkIssue.Status.QUEUED, BulkIssue.Status.RUNNING]
    ).exclude(heartbeat_at__gte=before)
    return list(stalled.filter(created_at__lt=before).values_list("pk", flat=True))
