"""Carry the keys of DRF's authtoken (plain text, no expiry) over as hashed API tokens.

Each key keeps working, now with the default lifetime (ACCESS_TOKEN_DAYS from today); the
plain-text table is then dropped, so no secret stays readable in the database.
"""

import hashlib
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import migrations
from django.utils import timezone
from django.utils.dateparse import parse_datetime

LEGACY_TABLE = "authtoken_token"


def aware(value, default: datetime) -> datetime:
    """A creation time as the database gave it: aware, naive UTC (SQLite) or text."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is None:
        return default
    return value if timezone.is_aware(value) else value.replace(tzinfo=UTC)


def carry_keys(apps, schema_editor):
    connection = schema_editor.connection
    if LEGACY_TABLE not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("access", "ApiToken")
    now = timezone.now()
    expires_at = now + timedelta(days=settings.ACCESS_TOKEN_DAYS)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, user_id, created FROM {LEGACY_TABLE}")  # noqa: S608
        rows = cursor.fetchall()
    for key, user_id, created in rows:
        created_at = min(aware(created, now), now)
        ApiToken.objects.create(
            name="migrated authtoken key",
            user_id=user_id,
            prefix=key[:8],
            key_hash=hashlib.sha256(key.encode()).hexdigest(),
            created_at=created_at,
            expires_at=expires_at,
        )
    schema_editor.execute(f"DROP TABLE {LEGACY_TABLE}")


class Migration(migrations.Migration):
    dependencies = [("access", "0001_initial")]

    operations = [migrations.RunPython(carry_keys, migrations.RunPython.noop)]
