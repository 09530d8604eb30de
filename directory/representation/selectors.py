"""Reads of representation: who acts for a subject now, and what each user may do for it.

Every read goes to the database (nothing is cached), so a revocation or the end of a period
takes effect on the very next request.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser, Permission
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from directory.compiled import CompiledQuery
from directory.errors import DirectoryError, DirectoryErrorCode
from directory.representation.models import Representation

Status = Representation.Status


def effective_q(at: datetime, prefix: str = "") -> Q:
    """The condition of a representation that lets its user act at ``at``."""
    return (
        Q(**{f"{prefix}status": Status.PROVEN})
        & (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": at}))
        & (Q(**{f"{prefix}valid_until__isnull": True}) | Q(**{f"{prefix}valid_until__gt": at}))
    )


def representation_effective_list(
    *,
    user: AbstractBaseUser | None = None,
    subject_id: int | None = None,
    at: datetime | None = None,
) -> QuerySet[Representation]:
    """Proven representations within their period, of a user or of a subject."""
    if user is not None and not user.is_authenticated:
        return Representation.objects.none()
    qs = Representation.objects.filter(effective_q(at or timezone.now()))
    if user is not None:
        qs = qs.filter(user=user)
    if subject_id is not None:
        qs = qs.filter(subject_id=subject_id)
    return qs.select_related("subject", "user")


def representation_open_get(*, user: AbstractBaseUser, subject_id: int) -> Representation | None:
    """The user's one open representation of the subject (claimed, pending, requested, proven)."""
    if not user.is_authenticated:
        return None
    rows = _OPEN_REPRESENTATION.models(user.pk, subject_id)
    return rows[0] if rows else None


def _open_representation(user_id: int, subject_id: int) -> QuerySet[Representation]:
    return Representation.objects.filter(
        user_id=user_id, subject_id=subject_id, status__in=Representation.OPEN_STATUSES
    ).order_by("pk")[:1]


# Read when a draft is made and again when it is signed: compiled once (directory.compiled).
_OPEN_REPRESENTATION = CompiledQuery(_open_representation, -1_730_100_301, -1_730_100_302)


def subject_has_proven_representative(*, subject_id: int, at: datetime | None = None) -> bool:
    return representation_effective_list(subject_id=subject_id, at=at).exists()


def representation_list_of_user(*, user: AbstractBaseUser) -> QuerySet[Representation]:
    """Every representation of the user, newest first (their own page shows the status)."""
    return (
        Representation.objects.filter(user=user)
        .select_related("subject", "reviewed_by")
        .order_by("-pk")
    )


def agent_list(*, subject_id: int) -> QuerySet[Representation]:
    """A subject's agents and agent requests, open ones first, with their scope."""
    return (
        Representation.objects.filter(subject_id=subject_id, role=Representation.Role.AGENT)
        .select_related("user", "reviewed_by", "revoked_by", "granted_by__user")
        .prefetch_related("matters")
        .order_by("status", "-pk")
    )


def letter_review_list() -> QuerySet[Representation]:
    """Authorisation letters waiting for an officer, oldest first."""
    return (
        Representation.objects.filter(status=Status.PENDING_REVIEW)
        .select_related("subject", "user")
        .order_by("pk")
    )


def is_representation_officer(user: AbstractBaseUser) -> bool:
    """Whether the user may review authorisation letters: staff, or the dedicated permission."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_staff or user.has_perm("directory.review_representation"))
    )


def holds_letter_review_permission(user: AbstractBaseUser) -> bool:
    """The menu's cheap form of ``is_representation_officer``: staff and superusers without a
    query, anyone else with one (the permission given to the user or to one of its groups),
    where ``has_perm`` costs two."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_staff or user.is_superuser:
        return True
    return (
        Permission.objects.filter(
            codename="review_representation", content_type__app_label="directory"
        )
        .filter(Q(user=user) | Q(group__user=user))
        .exists()
    )


def is_legal_representative(
    *, user: AbstractBaseUser, subject_id: int, at: datetime | None = None
) -> bool:
    return (
        representation_effective_list(user=user, subject_id=subject_id, at=at)
        .filter(role=Representation.Role.LEGAL_REPRESENTATIVE)
        .exists()
    )


def representation_draft_check(*, user: AbstractBaseUser, subject_id: int) -> Representation:
    """The representation that lets the user prepare drafts for the subject, or a refusal.

    A claim is enough to prepare a draft; signing needs ``representation_sign_check``.
    """
    at = timezone.now()
    open_row = representation_open_get(user=user, subject_id=subject_id)
    if open_row is not None and (
        open_row.status in Representation.UNPROVEN_STATUSES or open_row.is_effective_at(at)
    ):
        return open_row
    raise DirectoryError(
        DirectoryErrorCode.FORBIDDEN, _("You do not represent this subject."), field="subject"
    )


def representation_sign_check(
    *,
    user: AbstractBaseUser,
    subject_id: int,
    matter_id: int | None,
    at: datetime | None = None,
    open_row: Representation | None = None,
) -> Representation:
    """The proven representation that lets the user sign for the subject on the matter.

    Raises a ``DirectoryError`` saying why not and what to do: a claim that is not proven yet,
    an agent outside the scope or the period of the authorisation, a revoked representation.
    ``open_row``: the user's open representation of the subject, when the caller has just
    read it (``representation_open_get``).
    """
    at = at or timezone.now()
    if open_row is None:
        open_row = representation_open_get(user=user, subject_id=subject_id)
    if open_row is None:
        raise DirectoryError(
            DirectoryErrorCode.FORBIDDEN, _("You do not represent this subject."), field="subject"
        )
    if open_row.status in (Status.CLAIMED, Status.PENDING_REVIEW, Status.REQUESTED):
        raise DirectoryError(
            DirectoryErrorCode.REPRESENTATION_UNPROVEN,
            _(
                "You have not yet proven that you represent %(subject)s, so you may prepare "
                "drafts but not sign. Prove it by signing the PDF with your enterprise "
                "certificate and uploading it, by logging in through the identity platform, or "
                "by uploading an authorisation letter for an officer's review."
            )
            % {"subject": open_row.subject.name},
            field="subject",
        )
    if not open_row.is_effective_at(at):
        raise DirectoryError(
            DirectoryErrorCode.REPRESENTATION_EXPIRED,
            _(
                "Your authorisation for %(subject)s is not valid at this time (valid "
                "%(start)s to %(end)s). Ask its legal representative to renew it."
            )
            % {
                "subject": open_row.subject.name,
                "start": _moment(open_row.valid_from),
                "end": _moment(open_row.valid_until),
            },
            field="subject",
        )
    if (
        open_row.role == Representation.Role.AGENT
        and not open_row.covers_all_matters
        and not open_row.matters.filter(pk=matter_id).exists()
    ):
        raise DirectoryError(
            DirectoryErrorCode.OUT_OF_SCOPE,
            _(
                "Your authorisation as an agent of %(subject)s does not cover this matter. Ask "
                "its legal representative to add it to your authorisation."
            )
            % {"subject": open_row.subject.name},
            field="subject",
        )
    return open_row


def _moment(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "—"


def representation_get_visible(*, pk: int, viewer: AbstractBaseUser) -> Representation:
    """One representation the viewer may see: its own, an agent or request of a subject the
    viewer is the legal representative of, or any for an officer; else ``not_found``."""
    row = (
        Representation.objects.select_related("subject", "user")
        .filter(pk=pk if str(pk).isdigit() else None)
        .first()
    )
    if row is not None and (
        row.user_id == viewer.pk
        or is_representation_officer(viewer)
        or (
            row.role == Representation.Role.AGENT
            and is_legal_representative(user=viewer, subject_id=row.subject_id)
        )
    ):
        return row
    raise DirectoryError(
        DirectoryErrorCode.NOT_FOUND, _("No such representation."), field="representation"
    )


def represented_subject_get(
    *, legal_representative: AbstractBaseUser, code: str = "", subject_id: int | None = None
):
    """The subject (by ``code`` or ``subject_id``) if the viewer is its proven legal
    representative now, else ``not_found`` (nobody learns whether another's code is
    registered)."""
    rows = representation_effective_list(user=legal_representative).filter(
        role=Representation.Role.LEGAL_REPRESENTATIVE
    )
    row = (
        rows.filter(subject_id=subject_id)
        if subject_id is not None
        else rows.filter(subject__code=str(code).upper())
    ).first()
    if row is None:
        raise DirectoryError(
            DirectoryErrorCode.NOT_FOUND,
            _("You are not the proven legal representative of a subject with this code."),
            field="code",
        )
    return row.subject
