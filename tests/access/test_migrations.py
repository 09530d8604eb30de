"""The migration that carries DRF authtoken's plain keys over as hashed API tokens."""

from __future__ import annotations

import datetime as dt
from importlib import import_module

import pytest
from django.apps import apps
from django.db import connection
from rest_framework.test import APIClient

from access.models import ApiToken
from access.selectors import token_hash
from tests.factories import UserFactory

migration = import_module("access.migrations.0002_authtoken_keys")
carry_keys, aware = migration.carry_keys, migration.aware
LEGACY_KEY = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"


class Editor:
    """What the migration uses of a schema editor: the connection and ``execute``.

    SQLite refuses a real schema editor inside the test's transaction (it cannot turn foreign
    key checks off there); the statements still run on the real database.
    """

    connection = connection

    def execute(self, sql: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)


@pytest.mark.django_db
def test_legacy_keys_keep_working_hashed_with_the_default_expiry_and_the_plain_table_goes(
    settings,
):
    # given authtoken's table with one plain key, as an installation before this change had it
    settings.ACCESS_TOKEN_DAYS = 90
    user = UserFactory(username="api-system")
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamp with "
            "time zone NOT NULL, user_id integer NOT NULL)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token VALUES (%s, %s, %s)",
            [LEGACY_KEY, dt.datetime(2026, 1, 5, tzinfo=dt.UTC), user.pk],
        )

    # when the migration runs
    carry_keys(apps, Editor())

    # then the key is a hashed token of the same user that still authenticates, and the
    # plain-text table is gone
    token = ApiToken.objects.get()
    assert (token.user, token.key_hash, token.prefix) == (user, token_hash(LEGACY_KEY), "9944b091")
    assert token.created_at == dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    assert (token.expires_at - dt.datetime.now(dt.UTC)).days == 89
    assert "authtoken_token" not in connection.introspection.table_names()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {LEGACY_KEY}")
    assert client.get("/api/v1/subjects/").status_code == 200


@pytest.mark.parametrize(
    "stored",
    [
        dt.datetime(2026, 1, 5, tzinfo=dt.UTC),
        dt.datetime(2026, 1, 5),  # SQLite gives naive UTC
        "2026-01-05 00:00:00",
    ],
)
def test_a_creation_time_is_read_however_the_database_gives_it(stored):
    assert aware(stored, dt.datetime(2026, 12, 1, tzinfo=dt.UTC)) == dt.datetime(
        2026, 1, 5, tzinfo=dt.UTC
    )


@pytest.mark.django_db
def test_without_the_legacy_table_the_migration_does_nothing():
    carry_keys(apps, Editor())
    assert not ApiToken.objects.exists()
