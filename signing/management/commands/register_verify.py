"""``manage.py register_verify <receipt.json> [--root ca.crt]``: check a receipt offline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cryptography import x509
from django.core.management.base import BaseCommand, CommandError

from signing.errors import ReceiptInvalid
from signing.register.receipts import platform_root_certificate, receipt_verify


class Command(BaseCommand):
    """Verify a register receipt: its event, inclusion proof and signed checkpoint.

    Uses no database: only the receipt and the root certificate (the platform's by
    default, or ``--root`` for a verifier who trusts a published copy).
    """

    help = "Verify a register receipt offline against the platform root certificate."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        """Take the receipt file and an optional root certificate (PEM)."""
        parser.add_argument("receipt", help="receipt JSON file")
        parser.add_argument("--root", help="root certificate PEM (default: the platform's)")

    def handle(self, *args: Any, **options: Any) -> None:
        """Print what the receipt proves, or fail with the reason."""
        try:
            receipt = json.loads(Path(options["receipt"]).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot read the receipt: {error}") from error
        if options.get("root"):
            root = x509.load_pem_x509_certificate(Path(options["root"]).read_bytes())
        else:
            root = platform_root_certificate()
        try:
            verified = receipt_verify(receipt, root_certificate=root)
        except ReceiptInvalid as invalid:
            raise CommandError(f"Receipt INVALID ({invalid.reason}): {invalid.message}") from None
        self.stdout.write(
            f"Receipt valid: entry {verified.leaf_index} of {verified.tree_size}, "
            f"event {verified.event.get('type')} {verified.event.get('reference') or ''}, "
            f"checkpoint {verified.checkpoint_time.isoformat()}"
        )
