"""The province generator of the benchmarks (bench/province.py) at a tiny scale: its rows are
valid and consistent, the pages and services read them, a rerun adds nothing and a larger
scale continues where the last run ended."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.urls import reverse

from bench import province
from commitments.lifecycle.models import Commitment
from commitments.obligations.models import Obligation, WarningSchedule
from commitments.obligations.services.sweep import obligation_warnings_sweep
from credit.check.selectors import check_status
from credit.record.models.breaches import Breach, ListEntry
from directory.identifiers import check_identifier
from directory.models import Subject
from workflows.verification.models import VerificationTaskIndex

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the generator loads with PostgreSQL's COPY"
)

TODAY = datetime.date.today()


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(province, "CHUNK", 100)


def _generate(scale: int) -> dict:
    return province.generate(
        scale=scale, seed=3, today=TODAY, months=3, check_foreign_keys=True, progress=False
    )


def _indexes() -> set[tuple[str, str]]:
    """(table, definition without the index's name) of every index of the loaded tables and
    of their partitions (a partition's index names itself after its table)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, regexp_replace(indexdef, 'INDEX \\S+ ON', 'INDEX ON')"
            " FROM pg_indexes WHERE schemaname = 'public'"
            " AND (tablename = ANY(%s) OR tablename LIKE ANY(%s))",
            [list(province.LOADED_TABLES), [f"{t}_p%" for t in province.PARTITIONED]],
        )
        return set(cursor.fetchall())


@pytest.mark.django_db
def test_a_tiny_province_is_valid_consistent_and_readable(small_chunks, client):
    indexes = _indexes()
    result = _generate(400)

    # The indexes set aside for the load are all built again, partitions' included.
    assert result["indexes_set_aside"] == result["indexes_built"] > 50
    tables = {table for table, _definition in indexes}
    assert {i for i in _indexes() if i[0] in tables} == indexes

    counts = result["counts"]
    assert counts["directory_subject"] == counts["commitments_commitment"] == 400
    for subject in Subject.objects.all():
        assert check_identifier(
            "uscc" if subject.kind == "company" else "resident_id", subject.code
        ).is_valid, subject.code
    kinds = set(Subject.objects.values_list("kind", flat=True))
    assert kinds == {"company", "person"}
    states = set(Commitment.objects.values_list("status", flat=True))
    assert states == {state for state, _share in province.STATES}
    assert set(Commitment.objects.values_list("template__kind", flat=True)) == {
        kind for kind, _share in province.KINDS
    }
    # Consistent: a draft is unsigned, a signed one has its obligation and ladder, an open
    # verification has its task, every state change is in the history.
    assert not Commitment.objects.filter(status="draft", signed_at__isnull=False).exists()
    assert not Commitment.objects.exclude(status="draft").filter(signed_at__isnull=True).exists()
    with_obligation = Commitment.objects.exclude(status__in=["draft", "exempt"])
    assert Obligation.objects.count() == with_obligation.count()
    assert not Obligation.objects.filter(warning_schedule__isnull=True).exists()
    open_tasks = Commitment.objects.filter(status="under_verification")
    assert VerificationTaskIndex.objects.count() == open_tasks.count() > 0
    assert not open_tasks.filter(process__isnull=True).exists()
    for commitment in Commitment.objects.filter(status="fulfilled")[:20]:
        states = list(commitment.history.order_by("history_date").values_list("status", flat=True))
        assert states == ["draft", "signed", "under_verification", "fulfilled"]
    # The history and the check log land in their months' partitions, not the default.
    with connection.cursor() as cursor:
        for table in ("commitments_historicalcommitment", "credit_checkquery"):
            cursor.execute(f"SELECT COUNT(*) FROM {table}_default")  # noqa: S608 - fixed names
            assert cursor.fetchone()[0] == 0
            cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - fixed names
            assert cursor.fetchone()[0] >= 400
    # Nothing is due yet: the benchmark makes its own 1,000 due.
    assert obligation_warnings_sweep().warned == 0
    assert WarningSchedule.objects.filter(status="pending").exists()

    # Pages and services read the rows.
    world = province.World()
    client.force_login(world.regulators[0])
    response = client.get(reverse("workflows:queue"), {"department": world.measured.pk})
    assert response.status_code == 200
    shown = response.content.decode().count('data-testid="task-row"')
    assert shown == min(50, VerificationTaskIndex.objects.filter(department=world.measured).count())
    assert shown > 0
    serious = ListEntry.objects.select_related("subject").first()
    status = check_status(
        subject_id=serious.subject_id, purpose="approval", matter_id=world.check_matter.pk
    )
    assert status.summary()["black_listed"]
    assert not status.commitment_allowed
    assert Breach.objects.count() == 20

    # A rerun adds nothing; a larger scale continues where this one ended.
    assert _generate(400)["counts"] == counts
    larger = _generate(450)["counts"]  # ends inside a chunk …
    assert larger["directory_subject"] == larger["commitments_commitment"] == 450
    larger = _generate(520)["counts"]  # … and the next run goes on from there
    assert larger["directory_subject"] == larger["commitments_commitment"] == 520
    assert larger["credit_checkquery"] == 520
    assert Subject.objects.values("code").distinct().count() == 520


def test_identifiers_are_valid_and_unique():
    codes = [province.subject_row(k)[1] for k in range(0, 3000, 7)]
    assert len(set(codes)) == len(codes)
    for k in range(0, 3000, 7):
        kind, code, _name = province.subject_row(k)
        assert check_identifier("uscc" if kind == "company" else "resident_id", code).is_valid
