"""Reads of API tokens."""

from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from access.models import ApiToken


def token_hash(secret: str) -> str:
    """The stored digest of a secret (SHA-256: the secret is random, not a password)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def token_find(*, secret: str) -> ApiToken | None:
    """The token whose secret this is, valid or not (None: no such token)."""
    return ApiToken.objects.select_related("user").filter(key_hash=token_hash(secret)).first()


def token_list(*, user: AbstractBaseUser | None = None) -> QuerySet[ApiToken]:
    """Every token (of ``user`` if given), newest first, with owner and successor."""
    tokens = ApiToken.objects.select_related("user", "created_by", "revoked_by", "replaced_by")
    return tokens.filter(user=user) if user is not None else tokens
