"""Writes of webhook endpoints beyond their creation: re-encrypting every secret after a key
rotation (``notifications.encryption``)."""

from __future__ import annotations

from django.db import transaction

from notifications.models import WebhookEndpoint


@transaction.atomic
def webhook_secrets_rotate() -> int:
    """Re-encrypt every endpoint's secret under the key file's first key; return how many.

    Run after putting a new key on the first line of ``WEBHOOK_SECRET_KEYS_PATH`` and before
    removing the old one: every row is read with any key of the file and written with the
    first. The secrets themselves do not change, so subscribers notice nothing.
    """
    rotated = 0
    for endpoint in WebhookEndpoint.objects.select_for_update().order_by("pk").iterator():
        endpoint.save(update_fields=["secret"])
        rotated += 1
    return rotated
