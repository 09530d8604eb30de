"""The one-check PostgreSQL statement stays within psycopg's statement cache."""

from __future__ import annotations

import pytest
from django.db import connection

from credit.check.postgres.statement import answer_sql


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL statement")
def test_the_answer_statement_fits_psycopgs_statement_cache(db):
    # psycopg parses a statement's text on every execution unless it is at most 4,096
    # characters long; the check is the hottest statement of the system.
    assert len(answer_sql()) <= 4096
