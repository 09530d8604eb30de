"""``manage.py signing_ca create|import|check``: provision and verify the production CA.

``create`` makes a new self-signed platform root at ``SIGNING_CA_CERT_PATH`` with its key at
``SIGNING_CA_KEY_PATH`` (encrypted, mode 0600) or on the PKCS#11 device of
``SIGNING_CA_PKCS11``. ``import`` installs a CA certificate and key made elsewhere (the key is
re-encrypted with the platform's password). ``check`` verifies the configured CA and exits
non-zero when anything fails. Passwords and PINs come from the environment or files, never
from the command line (where ``ps`` and the shell history would show them).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from signing.ca.authority import CA_COMMON_NAME, CA_ORGANISATION
from signing.ca.provision import (
    KEY_TYPES,
    CheckStatus,
    Provisioned,
    ca_check,
    ca_create,
    ca_import,
    secret_file_problem,
)
from signing.errors import SigningError

IMPORT_PASSWORD_VARIABLE = "SIGNING_CA_IMPORT_KEY_PASSWORD"  # noqa: S105 (a name, not a secret)


class Command(BaseCommand):
    """Create, import or check the platform CA for production (see README, "A production CA")."""

    help = (
        "Provision the platform CA for production: create a new one, import one made"
        " elsewhere, or check the configured one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        """Declare the three actions and their options (no option takes a secret)."""
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Create a new self-signed platform root.")
        create.add_argument("--key-type", choices=KEY_TYPES, default="ec-p256")
        create.add_argument("--common-name", default=CA_COMMON_NAME)
        create.add_argument("--organisation", default=CA_ORGANISATION)
        create.add_argument("--days", type=int, default=3652, help="Validity (default ten years).")
        imported = actions.add_parser("import", help="Install a CA certificate and key.")
        imported.add_argument("--certificate", type=Path, required=True, help="PEM certificate.")
        imported.add_argument(
            "--key",
            type=Path,
            help="PEM private key (omit when the key is on the SIGNING_CA_PKCS11 device).",
        )
        imported.add_argument(
            "--key-password-file",
            type=Path,
            help=(
                "File holding the password of the key to import (mode 0600); or set"
                f" {IMPORT_PASSWORD_VARIABLE} in the environment."
            ),
        )
        check = actions.add_parser("check", help="Verify the configured CA; exit 1 on failure.")
        check.add_argument(
            "--warn-days",
            type=int,
            default=180,
            help="Warn when the CA certificate has fewer days left (default 180).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Run the chosen action; a refusal becomes a ``CommandError`` with its reason."""
        try:
            if options["action"] == "create":
                self._report(
                    ca_create(
                        key_type=options["key_type"],
                        common_name=options["common_name"],
                        organisation=options["organisation"],
                        validity=timedelta(days=options["days"]),
                    ),
                    verb="Created",
                )
            elif options["action"] == "import":
                self._report(self._import(options), verb="Imported")
            else:
                self._check(warn_before=timedelta(days=options["warn_days"]))
        except SigningError as error:
            raise CommandError(error.message) from error

    def _import(self, options: dict[str, Any]) -> Provisioned:
        certificate = _read(options["certificate"], what="certificate")
        key = _read(options["key"], what="key") if options["key"] else None
        password: bytes | None = None
        if options["key_password_file"]:
            problem = secret_file_problem(options["key_password_file"])
            if problem:
                raise CommandError(f"The key password file: {problem}")
            password = options["key_password_file"].read_bytes().strip() or None
        elif os.environ.get(IMPORT_PASSWORD_VARIABLE):
            password = os.environ[IMPORT_PASSWORD_VARIABLE].encode("utf-8")
        return ca_import(
            certificate_pem=certificate,
            private_key_pem=key,
            private_key_password=password,
            now=datetime.now(UTC),
        )

    def _check(self, *, warn_before: timedelta) -> None:
        results = ca_check(now=datetime.now(UTC), warn_before=warn_before)
        for result in results:
            self.stdout.write(f"{result.status.value.upper():8}{result.name}: {result.detail}")
        failed = [result.name for result in results if result.status is CheckStatus.FAILED]
        if failed:
            raise CommandError(
                f"The platform CA failed {len(failed)} check(s): {', '.join(failed)}."
            )
        self.stdout.write("The platform CA passed every check.")

    def _report(self, provisioned: Provisioned, *, verb: str) -> None:
        authority = provisioned.authority
        self.stdout.write(f"{verb} platform CA {authority.certificate.subject.rfc4514_string()}")
        self.stdout.write(f"Key: {provisioned.key_location}")
        self.stdout.write(f"SHA-256 fingerprint: {authority.fingerprint_sha256}")


def _read(path: Path, *, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise CommandError(f"Cannot read the {what} {path}: {error.strerror}.") from error
