"""The representation migration: a representative made by typing a code is not carried over as
proven, it becomes a claim that says where it came from."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("directory", "0002_calendar_year")]
AFTER = [("directory", "0003_representation")]


@pytest.fixture
def back_to_the_latest_schema():
    """Leave the database on the latest migrations for the tests that run after this one."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_the_latest_schema")
def test_old_representatives_become_claims_never_proven_representations():
    # given: the schema before, with a representative who only typed the code
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    user = old.get_model("auth", "User").objects.create(username="typed-a-code")
    subject = old.get_model("directory", "Subject").objects.create(
        kind="company", code="914403001922038216", name="深圳市示例餐饮有限公司"
    )
    old.get_model("directory", "SubjectRepresentative").objects.create(subject=subject, user=user)

    # when
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)

    # then
    new = executor.loader.project_state(AFTER).apps
    claim = new.get_model("directory", "Representation").objects.get()
    assert (claim.subject_id, claim.user_id) == (subject.pk, user.pk)
    assert (claim.status, claim.method, claim.role) == (
        "claimed",
        "declared",
        "legal_representative",
    )
    assert claim.evidence["migrated_from"] == "SubjectRepresentative"
    history = new.get_model("directory", "HistoricalRepresentation").objects.get()
    assert history.status == "claimed"
    assert history.history_change_reason == "migrated: an unproven representative became a claim"
