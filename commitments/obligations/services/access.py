"""Who may act on an obligation: an officer of the supervising department, or a
representative of the committed subject. Each check raises ``FORBIDDEN`` otherwise."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext as _

from commitments.errors import CommitmentError, ErrorCode
from commitments.lifecycle.models import Commitment
from directory.models import RegulatorMembership
from directory.selectors import subject_list


def _is_officer(user: AbstractBaseUser, commitment: Commitment) -> bool:
    return (
        commitment.department_id is not None
        and RegulatorMembership.objects.filter(
            user=user, department_id=commitment.department_id, is_active=True
        ).exists()
    )


def check_officer(user: AbstractBaseUser, commitment: Commitment) -> None:
    if not _is_officer(user, commitment):
        raise CommitmentError(
            ErrorCode.FORBIDDEN,
            _("Only an officer of the department that supervises this commitment can do this."),
        )


def check_representative(user: AbstractBaseUser, commitment: Commitment) -> None:
    if not subject_list(represented_by=user).filter(pk=commitment.subject_id).exists():
        raise CommitmentError(
            ErrorCode.FORBIDDEN, _("You do not represent this subject."), field="subject"
        )
