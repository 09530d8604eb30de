"""Re-encrypt every subscriber's webhook secret under the first key of the key file."""

from django.core.management.base import BaseCommand

from notifications.services.endpoints import webhook_secrets_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every webhook secret under the first key of WEBHOOK_SECRET_KEYS_PATH "
        "(after adding a new first key; then remove the old key)."
    )

    def handle(self, *args, **options):
        rotated = webhook_secrets_rotate()
        self.stdout.write(f"{rotated} webhook secret(s) re-encrypted under the first key.")
