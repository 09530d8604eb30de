"""Claiming, proving, reviewing, granting and revoking representations.

Each service locks the rows it changes, saves through ``audited_save`` (the history row carries
the actor and the reason) and changes nothing when it refuses. The entry point of every proof
from outside (the identity provider's login, an accepted certificate signature) is
``representation_prove``; its signature is stable.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from directory.audit import audited_save
from directory.errors import DirectoryError, DirectoryErrorCode
from directory.identifiers import IdentifierKind, check_identifier
from directory.inputs import normalise_text
from directory.models import Matter, Region, Subject
from directory.representation.models import Representation
from directory.representation.selectors import (
    is_legal_representative,
    is_representation_officer,
    subject_has_proven_representative,
)
from directory.services import invalid_input, subject_get_by_code, subject_register

Role = Representation.Role
Status = Representation.Status
Method = Representation.Method

PROOF_METHODS = (Method.IDENTITY_PROVIDER, Method.CERTIFICATE, Method.LETTER, Method.GRANT)


def _locked_open(*, user: AbstractBaseUser, subject: Subject) -> Representation | None:
    return (
        Representation.objects.select_for_update()
        .filter(user=user, subject=subject, status__in=Representation.OPEN_STATUSES)
        .first()
    )


def _reason(text: str, *, field: str = "reason") -> str:
    reason = normalise_text(text, multiline=True)
    if not reason:
        raise invalid_input(field, _("Give the reason; it is recorded with the decision."))
    return reason


def already_represented(subject: Subject) -> DirectoryError:
    """The refusal a second claimant gets, naming the two ways forward."""
    return DirectoryError(
        DirectoryErrorCode.ALREADY_REPRESENTED,
        _(
            "%(subject)s already has a proven representative. To act for it, ask its "
            "representative to authorise you as an agent (your request appears on their agents "
            "page), or upload an authorisation letter for an officer's review."
        )
        % {"subject": subject.name},
        field="code",
    )


@transaction.atomic
def subject_claim(
    *,
    user: AbstractBaseUser,
    kind: str,
    code: str,
    name: str,
    region: Region | None = None,
) -> Representation:
    """Register a code (if new) and record the user's unproven claim to represent it.

    A claim lets the user prepare drafts, never sign. A code that already has a proven
    representative is refused with the two ways forward (an agent request, a letter); a code
    registered but not proven by anyone takes this claim beside the others.
    """
    subject = subject_get_by_code(code=code)
    if subject is None:
        subject = subject_register(kind=kind, code=code, name=name, region=region, by=user)
    else:
        Subject.objects.select_for_update().get(pk=subject.pk)  # one claimant at a time
    existing = _locked_open(user=user, subject=subject)
    if existing is not None:
        return existing
    if subject_has_proven_representative(subject_id=subject.pk):
        raise already_represented(subject)
    claim = Representation(
        subject=subject,
        user=user,
        role=Role.LEGAL_REPRESENTATIVE,
        status=Status.CLAIMED,
        method=Method.DECLARED,
        evidence={"declared": "code typed at registration"},
    )
    audited_save(claim, by=user, reason="claimed by typing the code (not proof)")
    return claim


def _subject_for_proof(*, code: str, name: str, by: AbstractBaseUser | None) -> Subject:
    subject = subject_get_by_code(code=code)
    if subject is not None:
        return Subject.objects.select_for_update().get(pk=subject.pk)
    check = check_identifier(IdentifierKind.USCC, code)
    kind = Subject.Kind.COMPANY if check.problem is None else Subject.Kind.PERSON
    return subject_register(kind=kind, code=code, name=name, by=by)


@transaction.atomic
def representation_prove(
    *,
    user: AbstractBaseUser,
    code: str,
    name: str,
    role: str,
    method: str,
    evidence: dict,
    by: AbstractBaseUser | None,
    matters: Iterable[Matter] | None = None,
    valid_until: datetime | None = None,
    now: datetime | None = None,
) -> Representation:
    """Record that ``user`` provenly represents the subject ``code`` in ``role``.

    The one entry point for proof from outside: the identity provider's login (its mapped
    claims: code, name, role), a signature with an enterprise certificate carrying the code,
    an approved letter. Registers the subject under ``name`` when the code is new. An open
    claim or request of the user becomes proven; a proven representation in the same role
    is kept as it is (a repeated login changes nothing); one in another role is revoked and
    replaced. An agent proven this way covers ``matters`` (every matter when None) until
    ``valid_until`` (no end when None). ``by`` is who recorded the proof (the system user for
    a login). Raises ``DirectoryError`` (field, reason) on a bad code, role or method.
    """
    if role not in Role.values:
        raise invalid_input("role", _("Choose legal representative or agent."))
    if method not in PROOF_METHODS:
        raise invalid_input("method", _("This is not a way to prove a representation."))
    if not isinstance(evidence, dict) or not evidence:
        raise invalid_input("evidence", _("Record the evidence of the proof."))
    at = now or timezone.now()
    subject = _subject_for_proof(code=code, name=name, by=by or user)
    current = _locked_open(user=user, subject=subject)
    if current is not None and current.status == Status.PROVEN:
        if current.role == role:
            return current
        current.revoke(by=by, at=at, reason=f"replaced by a proven {role} ({method})")
        audited_save(current, by=by, reason=f"replaced by a proven {role} ({method})")
        current = None
    if current is None:
        current = Representation(subject=subject, user=user, role=role)
    current.role = role
    matter_list = list(matters) if matters is not None else None
    if role == Role.AGENT:
        current.covers_all_matters = matter_list is None
        current.valid_until = valid_until
    current.prove(proof=method, evidence=evidence, by=by, at=at)
    audited_save(current, by=by, reason=f"proven by {method}")
    if role == Role.AGENT and matter_list is not None:
        current.matters.set(matter_list)
    return current


@transaction.atomic
def representation_letter_submit(
    *,
    user: AbstractBaseUser,
    code: str,
    role: str,
    evidence: dict,
) -> Representation:
    """Put the user's authorisation letter (stored by the caller, described in ``evidence``:
    its SHA-256, size and name) before an officer.

    Allowed for a subject the user has claimed, or, as a second claimant's way in, for a subject
    that already has a proven representative. A letter for a code the user has not claimed,
    or that is not registered, is refused: register (claim) the code first.
    """
    if role not in Role.values:
        raise invalid_input("role", _("Choose legal representative or agent."))
    if not evidence.get("sha256"):
        raise invalid_input("file", _("Upload the authorisation letter as a PDF."))
    subject = subject_get_by_code(code=code)
    if subject is None:
        raise invalid_input(
            "code", _("No subject is registered under this code. Register the code first.")
        )
    Subject.objects.select_for_update().get(pk=subject.pk)
    current = _locked_open(user=user, subject=subject)
    evidence = {**evidence, "role": role}
    if current is not None:
        if current.status != Status.CLAIMED:
            raise DirectoryError(
                DirectoryErrorCode.INVALID_STATE,
                _("Your representation of this subject is %(status)s: no letter is needed.")
                % {"status": current.get_status_display()},
                field="code",
            )
        current.role = role
        current.submit_letter(evidence=evidence)
        audited_save(current, by=user, reason="authorisation letter submitted")
        return current
    if not subject_has_proven_representative(subject_id=subject.pk):
        raise invalid_input(
            "code",
            _(
                "You have not claimed this code. Register it first; the letter then proves your "
                "claim."
            ),
        )
    letter = Representation(
        subject=subject,
        user=user,
        role=role,
        status=Status.PENDING_REVIEW,
        method=Method.LETTER,
        evidence=evidence,
    )
    audited_save(letter, by=user, reason="authorisation letter submitted")
    return letter


def _locked(representation: Representation) -> Representation:
    return Representation.objects.select_for_update().get(pk=representation.pk)


def _refuse_state(row: Representation) -> DirectoryError:
    return DirectoryError(
        DirectoryErrorCode.INVALID_STATE,
        _("This representation is %(status)s and cannot take this decision.")
        % {"status": row.get_status_display()},
        field="status",
    )


@transaction.atomic
def representation_letter_review(
    *,
    representation: Representation,
    by: AbstractBaseUser,
    is_approved: bool,
    reason: str,
    now: datetime | None = None,
) -> Representation:
    """An officer approves (the representation is proven by the letter) or refuses a letter."""
    if not is_representation_officer(by):
        raise DirectoryError(
            DirectoryErrorCode.FORBIDDEN,
            _("Only an officer may review authorisation letters."),
            field="reviewer",
        )
    reason = _reason(reason)
    row = _locked(representation)
    if row.status != Status.PENDING_REVIEW:
        raise _refuse_state(row)
    if row.user_id == by.pk:
        raise DirectoryError(
            DirectoryErrorCode.FORBIDDEN,
            _("An officer may not review their own letter."),
            field="reviewer",
        )
    at = now or timezone.now()
    if is_approved:
        row.covers_all_matters = row.role == Role.AGENT
        row.prove(proof=Method.LETTER, evidence=row.evidence, by=by, at=at, reason=reason)
        audited_save(row, by=by, reason=f"letter approved: {reason}")
    else:
        row.refuse(by=by, at=at, reason=reason)
        audited_save(row, by=by, reason=f"letter refused: {reason}")
    return row


def _scope(matters: Iterable[Matter]) -> list[Matter]:
    scope = list(matters)
    if not scope:
        raise invalid_input("matters", _("Choose at least one matter the agent may act on."))
    return scope


def _period(
    valid_from: datetime | None, valid_until: datetime | None, at: datetime
) -> tuple[datetime, datetime]:
    start = valid_from or at
    if valid_until is None:
        raise invalid_input("valid_until", _("Give the date the authorisation ends."))
    if valid_until <= start:
        raise invalid_input("valid_until", _("The period must end after it starts."))
    return start, valid_until


def _grantor(*, by: AbstractBaseUser, subject: Subject, at: datetime) -> Representation:
    if not is_legal_representative(user=by, subject_id=subject.pk, at=at):
        raise DirectoryError(
            DirectoryErrorCode.FORBIDDEN,
            _("Only the subject's proven legal representative may authorise or revoke agents."),
            field="subject",
        )
    return Representation.objects.get(
        user=by, subject=subject, status=Status.PROVEN, role=Role.LEGAL_REPRESENTATIVE
    )


@transaction.atomic
def agent_request(*, user: AbstractBaseUser, code: str, reason: str) -> Representation:
    """Ask a subject's representatives to authorise the user as an agent (their agents page)."""
    subject = subject_get_by_code(code=code)
    if subject is None:
        raise invalid_input("code", _("No subject is registered under this code."))
    reason = _reason(reason)
    Subject.objects.select_for_update().get(pk=subject.pk)
    if _locked_open(user=user, subject=subject) is not None:
        raise DirectoryError(
            DirectoryErrorCode.INVALID_STATE,
            _("You already have a claim, a request or a representation for this subject."),
            field="code",
        )
    if not subject_has_proven_representative(subject_id=subject.pk):
        raise invalid_input(
            "code",
            _("This subject has no proven representative to ask yet. Register the code instead."),
        )
    request = Representation(
        subject=subject,
        user=user,
        role=Role.AGENT,
        status=Status.REQUESTED,
        method=Method.GRANT,
        evidence={"request": reason},
    )
    audited_save(request, by=user, reason=f"agent authorisation requested: {reason}")
    return request


@transaction.atomic
def agent_grant(
    *,
    subject: Subject,
    user: AbstractBaseUser,
    matters: Iterable[Matter],
    valid_until: datetime | None,
    by: AbstractBaseUser,
    reason: str,
    valid_from: datetime | None = None,
    now: datetime | None = None,
) -> Representation:
    """The legal representative authorises ``user`` as an agent for matters and a period.

    A pending request of the user is approved by this grant; an open claim or a representation
    already held is refused (revoke it first).
    """
    at = now or timezone.now()
    grantor = _grantor(by=by, subject=subject, at=at)
    scope = _scope(matters)
    start, end = _period(valid_from, valid_until, at)
    reason = _reason(reason)
    if user.pk == by.pk:
        raise invalid_input("user", _("You cannot authorise yourself."))
    row = _locked_open(user=user, subject=subject)
    if row is not None and row.status != Status.REQUESTED:
        raise DirectoryError(
            DirectoryErrorCode.INVALID_STATE,
            _("This user already has a claim or a representation of this subject."),
            field="user",
        )
    row = row or Representation(subject=subject, user=user, role=Role.AGENT)
    row.role = Role.AGENT
    row.granted_by = grantor
    row.covers_all_matters = False
    row.valid_from, row.valid_until = start, end
    evidence = {
        "granted_by": by.get_username(),
        "matters": sorted(matter.code for matter in scope),
        "valid_from": start.isoformat(),
        "valid_until": end.isoformat(),
    }
    row.prove(proof=Method.GRANT, evidence=evidence, by=by, at=at, reason=reason)
    audited_save(row, by=by, reason=f"agent authorised: {reason}")
    row.matters.set(scope)
    return row


@transaction.atomic
def agent_request_refuse(
    *,
    representation: Representation,
    by: AbstractBaseUser,
    reason: str,
    now: datetime | None = None,
) -> Representation:
    at = now or timezone.now()
    _grantor(by=by, subject=representation.subject, at=at)
    reason = _reason(reason)
    row = _locked(representation)
    if row.status != Status.REQUESTED:
        raise _refuse_state(row)
    row.refuse(by=by, at=at, reason=reason)
    audited_save(row, by=by, reason=f"agent request refused: {reason}")
    return row


@transaction.atomic
def representation_revoke(
    *,
    representation: Representation,
    by: AbstractBaseUser,
    reason: str,
    now: datetime | None = None,
) -> Representation:
    """End a representation at once: an agent by the legal representative, any by an officer,
    one's own by oneself. The next request of its user is refused."""
    at = now or timezone.now()
    reason = _reason(reason)
    row = _locked(representation)
    is_own = row.user_id == by.pk
    if not (is_own or is_representation_officer(by)):
        if row.role != Role.AGENT:
            raise DirectoryError(
                DirectoryErrorCode.FORBIDDEN,
                _("Only an officer may revoke a legal representative."),
                field="representation",
            )
        _grantor(by=by, subject=row.subject, at=at)
    if row.status not in Representation.OPEN_STATUSES:
        raise _refuse_state(row)
    row.revoke(by=by, at=at, reason=reason)
    audited_save(row, by=by, reason=f"revoked: {reason}")
    return row
