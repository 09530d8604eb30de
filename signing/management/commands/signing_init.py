"""``manage.py signing_init``: make sure the platform CA exists and show its fingerprint."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from signing.ca.authority import ca_ensure
from signing.errors import SigningError


class Command(BaseCommand):
    """Create the embedded CA if allowed and missing; print its SHA-256 fingerprint.

    Operators run it at deployment so the fingerprint can be published (verifiers pin the
    root by it) and so a misconfigured production CA fails before the first signature.
    """

    help = "Create the platform CA if missing (SIGNING_CA_AUTOCREATE) and print its fingerprint."

    def handle(self, *args: Any, **options: Any) -> None:
        """Load or create the CA and report it."""
        try:
            authority, created = ca_ensure()
        except SigningError as error:
            raise CommandError(error.message) from error
        verb = "Created" if created else "Found"
        self.stdout.write(f"{verb} platform CA {authority.certificate.subject.rfc4514_string()}")
        self.stdout.write(f"Certificate: {settings.SIGNING_CA_CERT_PATH}")
        self.stdout.write(f"Key: {settings.SIGNING_CA_KEY_PATH}")
        self.stdout.write(f"SHA-256 fingerprint: {authority.fingerprint_sha256}")
