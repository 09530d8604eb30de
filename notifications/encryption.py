"""Secrets kept to sign with, encrypted at rest: each subscriber's webhook secret.

A webhook secret must be readable to sign a delivery, so it cannot be hashed like a token; it
is encrypted with Fernet (AES-128-CBC with HMAC-SHA256, from ``cryptography``) under keys read
from a file, never from the database: a copy of the database alone reveals no secret.

The key file (``WEBHOOK_SECRET_KEYS_PATH``) holds one Fernet key per line. The first line
encrypts; every line decrypts (``MultiFernet``), so a key is rotated without downtime
(docs/webhooks.md): put a new key on the first line, run ``manage.py webhook_secrets_rotate``
(re-encrypts every row under the first key), then drop the old line. The file is read again
when it changes, so no restart is needed. The embedded default and the tests create the file
with a new key on first use (``WEBHOOK_SECRET_KEYS_AUTOCREATE``, under the git-ignored data
folder, like the CA's keys); production reads it from the configured path and refuses to start
encrypting without it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

# Every Fernet token starts with its version byte 0x80, base64url-encoded: "gAAAAA".
TOKEN_PREFIX = "gAAAAA"  # noqa: S105 (a format marker, not a secret)

_loaded: dict[tuple[str, int], MultiFernet] = {}


def keys_path() -> Path:
    """Where the key file is (``WEBHOOK_SECRET_KEYS_PATH``)."""
    return Path(settings.WEBHOOK_SECRET_KEYS_PATH)


def _create(path: Path) -> None:
    """Write a key file with one new key, readable by its owner only; a file another process
    wrote first wins (``O_EXCL``)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(Fernet.generate_key() + b"\n")
        handle.flush()
        os.fsync(handle.fileno())


def secret_box() -> MultiFernet:
    """The keys of the key file: the first encrypts, all decrypt. Read again when it changes."""
    path = keys_path()
    if not path.exists():
        if not getattr(settings, "WEBHOOK_SECRET_KEYS_AUTOCREATE", False):
            raise ImproperlyConfigured(
                f"No webhook secret key file at {path}: create one with `python -c 'from "
                "cryptography.fernet import Fernet; print(Fernet.generate_key().decode())' > "
                f"{path}` (mode 600) and set WEBHOOK_SECRET_KEYS_PATH. Only the embedded "
                "default creates it by itself (WEBHOOK_SECRET_KEYS_AUTOCREATE=true)."
            )
        _create(path)
    stamp = (str(path), path.stat().st_mtime_ns)
    box = _loaded.get(stamp)
    if box is None:
        lines = [line.strip() for line in path.read_text(encoding="ascii").splitlines()]
        keys = [line for line in lines if line and not line.startswith("#")]
        if not keys:
            raise ImproperlyConfigured(f"The webhook secret key file {path} holds no key.")
        try:
            box = MultiFernet([Fernet(key) for key in keys])
        except ValueError as error:
            raise ImproperlyConfigured(f"{path}: not a Fernet key ({error}).") from error
        _loaded.clear()
        _loaded[stamp] = box
    return box


def secret_encrypt(clear: str) -> str:
    """The token stored for ``clear`` (a new random one each time)."""
    return secret_box().encrypt(clear.encode("utf-8")).decode("ascii")


def secret_decrypt(token: str) -> str:
    """The secret a stored token holds; ``InvalidToken`` if no key of the file made it."""
    return secret_box().decrypt(token.encode("ascii")).decode("utf-8")


def secret_rotate(token: str) -> str:
    """The same secret re-encrypted under the first key (``MultiFernet.rotate``)."""
    return secret_box().rotate(token.encode("ascii")).decode("ascii")


class EncryptedSecretField(models.TextField):
    """A text column holding a Fernet token; the model attribute holds the clear secret.

    Only equality of the whole value is meaningless on it (tokens are random): it is never
    filtered on. An empty value stays empty.
    """

    description = "A secret encrypted at rest (Fernet, keys from WEBHOOK_SECRET_KEYS_PATH)"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return secret_decrypt(value)

    def get_prep_value(self, value: Any) -> str | None:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return secret_encrypt(value)
