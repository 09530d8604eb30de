"""Subscribers' webhook secrets encrypted at rest: the column becomes text (a Fernet token is
longer than the secret) and every secret stored in clear is encrypted under the first key of
``WEBHOOK_SECRET_KEYS_PATH``. Reversible: going back decrypts them into the old column.

The rows are read and written with plain SQL: the field now decrypts what it reads, and these
rows are not yet encrypted. A value that is already a token this key file opens is left as it
is, so running the step twice changes nothing.
"""

from cryptography.fernet import InvalidToken
from django.db import migrations

import notifications.encryption
from notifications.encryption import TOKEN_PREFIX, secret_box


def _is_token(box, value: str) -> bool:
    if not value.startswith(TOKEN_PREFIX):
        return False
    try:
        box.decrypt(value.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError):
        return False
    return True


def secrets_encrypt(apps, schema_editor):
    """Encrypt every webhook secret still stored in clear."""
    table = apps.get_model("notifications", "WebhookEndpoint")._meta.db_table
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, secret FROM {table} WHERE secret <> ''")  # noqa: S608
        rows = cursor.fetchall()
        if not rows:
            return  # nothing to encrypt: a new installation needs no key file yet
        box = secret_box()
        for pk, value in rows:
            if _is_token(box, value):
                continue
            token = box.encrypt(value.encode("utf-8")).decode("ascii")
            cursor.execute(f"UPDATE {table} SET secret = %s WHERE id = %s", [token, pk])  # noqa: S608


def secrets_decrypt(apps, schema_editor):
    """Going back: store every secret in clear again."""
    table = apps.get_model("notifications", "WebhookEndpoint")._meta.db_table
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, secret FROM {table} WHERE secret <> ''")  # noqa: S608
        rows = cursor.fetchall()
        if not rows:
            return
        box = secret_box()
        for pk, value in rows:
            if _is_token(box, value):
                clear = box.decrypt(value.encode("ascii")).decode("utf-8")
                cursor.execute(f"UPDATE {table} SET secret = %s WHERE id = %s", [clear, pk])  # noqa: S608


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0003_webhook_endpoints"),
    ]

    operations = [
        migrations.AlterField(
            model_name="webhookendpoint",
            name="secret",
            field=notifications.encryption.EncryptedSecretField(verbose_name="secret"),
        ),
        migrations.RunPython(secrets_encrypt, secrets_decrypt),
    ]
