"""Subscribers' webhook secrets are encrypted at rest: the column holds no cleartext, the key
lives in a file outside the database, deliveries still verify at a real receiver, existing
rows are encrypted by the migration, and the key rotates without changing any secret."""

from __future__ import annotations

import importlib
import stat
from pathlib import Path
from types import SimpleNamespace

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from credit.changes.models import RecordChangeNotice
from credit.changes.services import change_subscription_set, record_change_queue
from notifications.models import WebhookEndpoint
from notifications.services.delivery import outbox_deliver_next
from tests.credit.changes.receiver import Receiver, running_receiver
from tests.factories import BreachFactory, CallingSystemFactory

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module(
    "notifications.migrations.0004_webhook_secrets_encrypted_at_rest"
)


def _stored(endpoint_pk: int) -> str:
    """The column's raw value, as a database dump or a replica would show it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT secret FROM notifications_webhookendpoint WHERE id = %s", [endpoint_pk]
        )
        return cursor.fetchone()[0]


def _store_raw(endpoint_pk: int, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE notifications_webhookendpoint SET secret = %s WHERE id = %s",
            [value, endpoint_pk],
        )


def _keys(settings) -> list[bytes]:
    return Path(settings.WEBHOOK_SECRET_KEYS_PATH).read_bytes().split()


@pytest.fixture
def key_file(settings, tmp_path) -> Path:
    """A key file of this test's own (one key), so rewriting it touches no other test."""
    path = tmp_path / "keys" / "webhook-secrets.keys"
    path.parent.mkdir()
    path.write_bytes(Fernet.generate_key() + b"\n")
    settings.WEBHOOK_SECRET_KEYS_PATH = str(path)
    return path


def test_the_column_holds_no_cleartext_and_a_delivery_still_verifies_at_a_real_receiver(settings):
    with running_receiver(Receiver()) as receiver:
        system = CallingSystemFactory()
        subscription, receiver.secret = change_subscription_set(
            system=system, scope="all", url=receiver.url
        )
        stored = _stored(subscription.endpoint_id)
        [notice] = record_change_queue(
            breach=BreachFactory(), change=RecordChangeNotice.Change.REPAIRED
        )
        message = outbox_deliver_next()

    assert receiver.secret.startswith("whsec_")
    assert receiver.secret not in stored and receiver.secret[6:] not in stored
    assert stored.startswith("gAAAAA")  # a Fernet token
    # the key file, not the database, opens it
    assert Fernet(_keys(settings)[0]).decrypt(stored.encode()).decode() == receiver.secret
    assert message.status == "sent"
    assert [(r.verdict, r.answered) for r in receiver.received] == [("ok", 200)]
    assert receiver.received[0].headers["Chengnuo-Webhook-Id"] == f"record-change:{notice.pk}"


def test_the_same_secret_is_stored_differently_each_time(settings):
    first = WebhookEndpoint.objects.create(
        owner=CallingSystemFactory().user, url="http://127.0.0.1:9/", secret="whsec_same"
    )
    second = WebhookEndpoint.objects.create(
        owner=CallingSystemFactory().user, url="http://127.0.0.1:9/", secret="whsec_same"
    )

    assert _stored(first.pk) != _stored(second.pk)  # random IVs: equal secrets do not show
    assert WebhookEndpoint.objects.get(pk=first.pk).secret == "whsec_same"


def test_the_migration_encrypts_secrets_stored_in_clear_and_going_back_decrypts_them(settings):
    endpoint = WebhookEndpoint.objects.create(
        owner=CallingSystemFactory().user, url="http://127.0.0.1:9/", secret="whsec_before"
    )
    _store_raw(endpoint.pk, "whsec_before")  # as the column held it before the migration
    editor = SimpleNamespace(connection=connection)

    MIGRATION.secrets_encrypt(apps, editor)
    encrypted = _stored(endpoint.pk)
    MIGRATION.secrets_encrypt(apps, editor)  # a second run changes nothing

    assert encrypted.startswith("gAAAAA") and "whsec_before" not in encrypted
    assert _stored(endpoint.pk) == encrypted
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret == "whsec_before"
    MIGRATION.secrets_decrypt(apps, editor)
    assert _stored(endpoint.pk) == "whsec_before"


def test_a_new_first_key_re_encrypts_every_secret_without_changing_it(key_file):
    old_key = key_file.read_bytes().strip()
    endpoint = WebhookEndpoint.objects.create(
        owner=CallingSystemFactory().user, url="http://127.0.0.1:9/", secret="whsec_kept"
    )
    new_key = Fernet.generate_key()
    key_file.write_bytes(new_key + b"\n" + old_key + b"\n")  # the new key first, the old kept

    call_command("webhook_secrets_rotate")
    key_file.write_bytes(new_key + b"\n")  # then the old key is dropped

    stored = _stored(endpoint.pk).encode()
    assert Fernet(new_key).decrypt(stored) == b"whsec_kept"
    with pytest.raises(InvalidToken):
        Fernet(old_key).decrypt(stored)
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret == "whsec_kept"


def test_without_its_key_file_production_refuses_and_writes_nothing(settings, tmp_path):
    settings.WEBHOOK_SECRET_KEYS_PATH = str(tmp_path / "missing.keys")
    settings.WEBHOOK_SECRET_KEYS_AUTOCREATE = False
    system = CallingSystemFactory()

    with pytest.raises(ImproperlyConfigured, match="WEBHOOK_SECRET_KEYS_PATH"):
        change_subscription_set(system=system, scope="all", url="http://127.0.0.1:9/")

    assert not WebhookEndpoint.objects.exists()
    assert not (tmp_path / "missing.keys").exists()


def test_the_embedded_default_makes_its_key_file_for_its_owner_only(settings, tmp_path):
    path = tmp_path / "var" / "keys" / "webhook-secrets.keys"
    settings.WEBHOOK_SECRET_KEYS_PATH = str(path)
    settings.WEBHOOK_SECRET_KEYS_AUTOCREATE = True

    endpoint = WebhookEndpoint.objects.create(
        owner=CallingSystemFactory().user, url="http://127.0.0.1:9/", secret="whsec_new"
    )

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(path.read_bytes().split()) == 1
    assert Fernet(path.read_bytes().strip()).decrypt(_stored(endpoint.pk).encode()) == (
        b"whsec_new"
    )
