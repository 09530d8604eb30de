"""How many SQL statements one commitment's whole lifecycle costs (ADR 0036).

Counting statements is deterministic where timing is not: a change that reads a row again,
checks what is already known or writes a row twice shows here as a higher count. The P2
benchmark (``bench/bench_lifecycle.py``, ``python -m bench.statements``) counts the same
lifecycle outside a test: 65 statements (230 before ADR 0036, 80 after it; the exemption
decision of ADR 0032 added 3, and reading the assignee's message language with them, the
signing without a savepoint of its own and the verification's uniqueness known by
construction took 4 off, ADR 0040's task rows written with their links took 5 more off,
ADR 0042's state changes written with their history rows 3 more on PostgreSQL, and there
the register's leaves written by its head's statement 2 more, the signing's obligations
written with their history rows 1 more and the human task's row written with its link 1
more).
Here each service's transaction is a savepoint of the test's own transaction (two statements
more for each of the three: draft, submission, finding), and the test world's template and
city are not the benchmark's, so the figures are this test's own: the three stage limits
below.
"""

from __future__ import annotations

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from commitments.catalogue.models import VerificationMethod
from commitments.lifecycle.models import Commitment, Verification
from tests.workflows.conftest import draft_commitment, task_of
from workflows.verification.services.submission import commitment_submit
from workflows.verification.services.work import verification_complete

# Statements per stage of the lifecycle, as measured when the lifecycle was made lean.
DRAFT = 7  # representation, exclusion, competence, insert and history (+ the savepoint)
# sign, store, route, open, the exemption rule in force (ADR 0032: 3 more than ADR 0036's 42),
# start the flow, assign (the assignee's message language read with them), index, audit,
# notify; the signing has no savepoint of its own
SUBMISSION = 42
# lock, task, seat, finding (its commitment unique by construction), register, detail, gates,
# end (+ the savepoint)
FINDING = 32
WHOLE = DRAFT + SUBMISSION + FINDING
# On PostgreSQL a state change's UPDATE and its history row are one statement (ADR 0042): the
# commitment's signing and verification opened in the submission, its close in the finding;
# and the register's head is advanced by the statement that writes the new leaf: the signed
# event in the submission, the verified one in the finding. The signing's obligations are
# inserted with their history rows too (``directory.bulk.bulk_insert_with_history``); and a
# new task's row and its link to the step it came from are one (ADR 0040): the gate's, the
# human task's and its timer's in the submission, the two gates' and the end's in the finding.
COMBINED_WITH_HISTORY = {"draft": 0, "submission": 3, "finding": 1}
COMBINED_WITH_LOG_HEAD = {"draft": 0, "submission": 1, "finding": 1}
TASKS_WITH_LINKS = {"draft": 0, "submission": 3, "finding": 3}


def _lifecycle(world) -> dict[str, int]:
    """One commitment from draft to verified; the statements each stage sent."""
    counts = {}
    with CaptureQueriesContext(connection) as draft_queries:
        draft = draft_commitment(world)
    counts["draft"] = len(draft_queries)
    with CaptureQueriesContext(connection) as submission_queries:
        commitment = commitment_submit(commitment=draft, by=world.applicant)
    counts["submission"] = len(submission_queries)
    task = task_of(commitment)
    with CaptureQueriesContext(connection) as finding_queries:
        verification_complete(
            task=task,
            by=task.owner,
            method=VerificationMethod.ON_SITE,
            finding=Verification.Finding.FULFILLED,
            evidence_summary="On-site check: the premises match the commitment.",
            inspected_on=datetime.date.today(),
            inspection_location="Nanshan, Shenzhen",
        )
    counts["finding"] = len(finding_queries)
    assert Commitment.objects.get(pk=commitment.pk).status == Commitment.Status.FULFILLED
    return counts


def test_a_whole_lifecycle_costs_at_most_the_lean_figure(world):
    _lifecycle(world)  # the first one also creates what every later one reuses

    counts = _lifecycle(world)

    # at most: SQLite's transaction control costs one statement fewer than PostgreSQL's here
    limits = {"draft": DRAFT, "submission": SUBMISSION, "finding": FINDING}
    if connection.vendor == "postgresql":
        limits = {
            stage: limit
            - COMBINED_WITH_HISTORY[stage]
            - COMBINED_WITH_LOG_HEAD[stage]
            - TASKS_WITH_LINKS[stage]
            for stage, limit in limits.items()
        }
    assert {stage: min(count, limits[stage]) for stage, count in counts.items()} == counts
    assert sum(counts.values()) <= sum(limits.values()) <= WHOLE
