"""The embedded default (SQLite) has no partitions: the maintenance does nothing, the tables
are plain, and the retention periods are still there to read in the admin."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from directory.partitions.selectors import managed_tables, partitions_of
from directory.partitions.services import partitions_maintain
from directory.partitions.tasks import partitions_maintain_task
from tests.factories import CheckQueryFactory

pytestmark = pytest.mark.skipif(connection.vendor == "postgresql", reason="the embedded default")


def test_maintenance_does_nothing_on_sqlite(db, capsys):
    # given a check logged on SQLite
    row = CheckQueryFactory()

    # when the maintenance runs, from the scheduler's task and the command
    assert partitions_maintain() == []
    assert partitions_maintain_task() == {}
    call_command("partitions_maintain")

    # then nothing is partitioned and the row is untouched
    assert "No partitioned tables" in capsys.readouterr().out
    assert (managed_tables(), partitions_of("credit_checkquery")) == ([], [])
    assert type(row).objects.get(pk=row.pk).reason == row.reason
