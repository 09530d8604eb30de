"""Registering subjects under their validated, normalised codes; linking a user to their
account at an identity provider.

Who may act for a subject is ``directory.representation``: registering a code makes no one its
representative.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from directory.audit import audited_save
from directory.errors import DirectoryError, DirectoryErrorCode
from directory.identifiers import IdentifierKind, check_identifier, normalise
from directory.inputs import normalise_text
from directory.models import ExternalIdentity, Region, Subject


def subject_register(
    *,
    kind: str,
    code: str,
    name: str,
    by: AbstractBaseUser | None = None,
    region: Region | None = None,
    checksum_override_reason: str = "",
    officer: AbstractBaseUser | None = None,
) -> Subject:
    """Register a subject under its normalised code (``by``: who registered it).

    A wrong check character is refused unless an officer overrides it with a reason: some
    legal codes issued in early pilot areas fail the checksum. A wrong format never passes.
    """
    if kind not in Subject.Kind.values:
        raise invalid_input("kind", _("Choose a company or a natural person."))
    identifier_kind = (
        IdentifierKind.USCC if kind == Subject.Kind.COMPANY else IdentifierKind.RESIDENT_ID
    )
    check = check_identifier(identifier_kind, code)
    name = normalise_text(name)
    if not name:
        raise invalid_input("name", _("Enter the subject's name."))
    if check.problem is not None:
        if not check.is_overridable:
            raise invalid_input("code", _identifier_message(identifier_kind, check))
        if officer is None or not officer.is_staff or not checksum_override_reason.strip():
            raise invalid_input("code", _identifier_message(identifier_kind, check))
    if region is None and identifier_kind is IdentifierKind.USCC:
        region = Region.objects.filter(code=check.value[2:8]).first()
    with transaction.atomic():
        if Subject.objects.filter(code=check.value).exists():
            raise invalid_input("code", _("A subject with this code is already registered."))
        subject = Subject(
            kind=kind,
            code=check.value,
            name=name,
            region=region,
            checksum_override_reason=checksum_override_reason.strip() if check.problem else "",
            checksum_overridden_by=officer if check.problem else None,
        )
        audited_save(
            subject,
            by=officer or by,
            reason=("registered with checksum override" if check.problem else "registered"),
        )
    return subject


@transaction.atomic
def external_identity_login(
    *, issuer: str, subject_identifier: str, person_name: str, now: datetime
) -> AbstractBaseUser:
    """The user of an identity provider's (issuer, sub) pair, created on their first login.

    Only the pair identifies the user: an e-mail address or a name the provider sends never
    matches an existing account. A new user has no password (they log in through the
    provider) and a username derived from the pair.
    """
    identity = (
        ExternalIdentity.objects.select_for_update()
        .select_related("user")
        .filter(issuer=issuer, subject_identifier=subject_identifier)
        .first()
    )
    if identity is None:
        digest = hashlib.sha256(f"{issuer}\n{subject_identifier}".encode()).hexdigest()[:20]
        user = get_user_model()(username=f"idp-{digest}", first_name=person_name[:150])
        user.set_unusable_password()
        audited_save(user, by=None, reason="created on first login through the identity provider")
        identity = ExternalIdentity(
            user=user,
            issuer=issuer,
            subject_identifier=subject_identifier,
            linked_at=now,
            last_login_at=now,
        )
        audited_save(
            identity, by=user, reason="linked on first login through the identity provider"
        )
        return user
    identity.last_login_at = now
    audited_save(identity, by=identity.user, reason="logged in through the identity provider")
    if identity.user.first_name != person_name[:150]:
        identity.user.first_name = person_name[:150]
        audited_save(identity.user, by=identity.user, reason="name from the identity provider")
    return identity.user


def _identifier_message(kind: IdentifierKind, check) -> str:
    if kind is IdentifierKind.USCC:
        if check.problem == "checksum":
            return _(
                "The check character of this unified social credit code is wrong "
                "(expected %(expected)s). Check the code; an officer can accept a legal "
                "early code with a recorded reason."
            ) % {"expected": check.expected_check_character}
        return _(
            "A unified social credit code has 18 characters: digits and capital letters "
            "except I, O, S, V and Z."
        )
    if check.problem == "birth_date":
        return _("The birth date inside this resident identity number is not a real date.")
    if check.problem == "checksum":
        return _("The check character of this resident identity number is wrong.")
    return _("A resident identity number has 17 digits and a check digit or X.")


def subject_get_by_code(*, code: str) -> Subject | None:
    """The registered subject under a code as typed (spaces and case do not matter)."""
    return Subject.objects.filter(code=normalise(code)).first()


def invalid_input(field: str, message: str) -> DirectoryError:
    return DirectoryError(DirectoryErrorCode.INVALID, message, field=field)
