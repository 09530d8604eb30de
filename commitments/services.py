"""Writes of the commitment domain. Each function is one business action in one transaction:
lock, check, transition, save with who and why, and only then anything else."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, can_proceed

from signing.errors import SigningError
from signing.pades import SignerIdentity, sign_pdf
from signing.pdf import CommitmentDocument, render_commitment_pdf
from signing.storage import document_store

from . import selectors
from .calendar import Deadline, deadline_after
from .errors import CommitmentError, ErrorCode
from .identifiers import IdentifierKind, check_identifier
from .models import (
    Commitment,
    CommitmentTemplate,
    Department,
    Obligation,
    Region,
    RegulatorMembership,
    Subject,
    SubjectRepresentative,
    Verification,
    VerificationMethod,
)

SYSTEM_USERNAME = "system"
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def system_user() -> AbstractBaseUser:
    """The actor recorded for changes made by timers and background work."""
    user, created = get_user_model().objects.get_or_create(
        username=SYSTEM_USERNAME, defaults={"is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _save(obj, *, by: AbstractBaseUser | None, reason: str, **kwargs) -> None:
    """Save with the actor and reason that history must show."""
    obj._history_user = by
    obj._change_reason = reason
    obj.full_clean()
    obj.save(**kwargs)


def _invalid(field: str, message: str) -> CommitmentError:
    return CommitmentError(ErrorCode.INVALID, message, field=field)


# Subjects -----------------------------------------------------------------------------------


def subject_register(
    *,
    kind: str,
    code: str,
    name: str,
    representative: AbstractBaseUser | None = None,
    region: Region | None = None,
    checksum_override_reason: str = "",
    officer: AbstractBaseUser | None = None,
) -> Subject:
    """Register a subject under its normalised code.

    A wrong check character is refused unless an officer overrides it with a reason: some
    legal codes issued in early pilot areas fail the checksum. A wrong format never passes.
    """
    if kind not in Subject.Kind.values:
        raise _invalid("kind", _("Choose a company or a natural person."))
    identifier_kind = (
        IdentifierKind.USCC if kind == Subject.Kind.COMPANY else IdentifierKind.RESIDENT_ID
    )
    check = check_identifier(identifier_kind, code)
    if not (name or "").strip():
        raise _invalid("name", _("Enter the subject's name."))
    if check.problem is not None:
        if not check.is_overridable:
            raise _invalid("code", _identifier_message(identifier_kind, check))
        if officer is None or not officer.is_staff or not checksum_override_reason.strip():
            raise _invalid("code", _identifier_message(identifier_kind, check))
    if region is None and identifier_kind is IdentifierKind.USCC:
        region = Region.objects.filter(code=check.value[2:8]).first()
    with transaction.atomic():
        if Subject.objects.filter(code=check.value).exists():
            raise _invalid("code", _("A subject with this code is already registered."))
        subject = Subject(
            kind=kind,
            code=check.value,
            name=name.strip(),
            region=region,
            checksum_override_reason=checksum_override_reason.strip() if check.problem else "",
            checksum_overridden_by=officer if check.problem else None,
        )
        _save(
            subject,
            by=officer or representative,
            reason=("registered with checksum override" if check.problem else "registered"),
        )
        if representative is not None:
            _save(
                SubjectRepresentative(subject=subject, user=representative),
                by=officer or representative,
                reason="representative added",
            )
    return subject


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


# Commitments --------------------------------------------------------------------------------


def _new_reference(now) -> str:
    suffix = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"CN{now:%Y%m%d}{suffix}"


def _check_representative(user: AbstractBaseUser, subject: Subject) -> None:
    if not SubjectRepresentative.objects.filter(user=user, subject=subject).exists():
        raise CommitmentError(
            ErrorCode.FORBIDDEN, _("You do not represent this subject."), field="subject"
        )


def _clean_field_values(template: CommitmentTemplate, values: dict) -> dict:
    """Keep the template's fields only, trimmed; report every missing or too long one."""
    values = values or {}
    cleaned, errors = {}, {}
    for spec in template.fields:
        name = spec["name"]
        raw = values.get(name, "")
        value = str(raw).strip() if raw is not None else ""
        max_length = int(spec.get("max_length", 500))
        if spec.get("required", True) and not value:
            errors[name] = [_("This field is required.")]
        elif len(value) > max_length:
            errors[name] = [_("At most %(n)d characters.") % {"n": max_length}]
        cleaned[name] = value
    unknown = sorted(set(values) - {spec["name"] for spec in template.fields})
    for name in unknown:
        errors[name] = [_("This template has no such field.")]
    if errors:
        raise CommitmentError(
            ErrorCode.INVALID,
            _("Some fields need correcting."),
            fields=errors,
            field=next(iter(errors)),
        )
    return cleaned


def commitment_create(
    *,
    by: AbstractBaseUser,
    subject: Subject,
    template: CommitmentTemplate,
    field_values: dict,
    region: Region | None = None,
) -> Commitment:
    """Start a draft commitment for a subject the user represents."""
    _check_representative(by, subject)
    if template.status != CommitmentTemplate.Status.ACTIVE:
        raise CommitmentError(
            ErrorCode.TEMPLATE_NOT_ACTIVE,
            _("This commitment template is not open for use."),
            field="template",
        )
    region = region or subject.region
    if region is None:
        raise _invalid("region", _("Choose the region where the matter is handled."))
    if selectors.competent_department(matter=template.matter, region=region) is None:
        raise _invalid(
            "region",
            _("No department handles %(matter)s in %(region)s on commitment yet.")
            % {"matter": template.matter.name, "region": region.name},
        )
    cleaned = _clean_field_values(template, field_values)
    now = timezone.now()
    for _attempt in range(5):
        try:
            with transaction.atomic():
                commitment = Commitment(
                    reference=_new_reference(now),
                    template=template,
                    subject=subject,
                    region=region,
                    created_by=by,
                    field_values=cleaned,
                )
                _save(commitment, by=by, reason="draft created")
                return commitment
        except IntegrityError:  # a reference collision: draw again
            continue
    raise CommitmentError(ErrorCode.CONCURRENT_CHANGE, _("Please try again."))


def commitment_update_draft(
    *, commitment: Commitment, by: AbstractBaseUser, field_values: dict
) -> Commitment:
    _check_representative(by, commitment.subject)
    with transaction.atomic():
        locked = Commitment.objects.select_for_update().get(pk=commitment.pk)
        if locked.status != Commitment.Status.DRAFT:
            raise _already_signed_or_state(locked)
        locked.field_values = _clean_field_values(locked.template, field_values)
        _save(locked, by=by, reason="draft edited")
    return locked


def _already_signed_or_state(commitment: Commitment) -> CommitmentError:
    if commitment.is_signed:
        return CommitmentError(
            ErrorCode.ALREADY_SIGNED,
            _("This commitment has already been signed."),
            field="status",
        )
    return CommitmentError(
        ErrorCode.INVALID_STATE,
        _("This commitment is %(status)s and cannot be changed.")
        % {"status": commitment.get_status_display()},
        field="status",
    )


def obligation_deadlines(*, template: CommitmentTemplate, signed_on) -> list[tuple]:
    """Each obligation rule of the template with its deadline for a given signing date."""
    return [
        (rule, deadline_after(signed_on, rule.deadline, rule.deadline_unit))
        for rule in template.obligation_rules.all()
    ]


def commitment_document(*, commitment: Commitment, on=None) -> CommitmentDocument:
    """The document the applicant reads, previews and signs (deadlines as if signed ``on``)."""
    template = commitment.template
    on = on or timezone.localdate()
    labels = {spec["name"]: spec.get("label", spec["name"]) for spec in template.fields}
    language = "en" if (translation.get_language() or "").startswith("en") else "zh-hans"
    return CommitmentDocument(
        reference=commitment.reference,
        title=template.title,
        template_label=f"{template.code} v{template.version}",
        subject_name=commitment.subject.name,
        subject_code=commitment.subject.code,
        matter=template.matter.name,
        notice=(
            (_("Matter and legal basis"), template.notice_legal_basis),
            (_("Conditions"), template.notice_conditions),
            (_("Proof no longer required"), template.notice_waived_proof),
            (_("Liability for a false commitment"), template.notice_liability),
            (_("Verification"), template.notice_verification),
            (_("Publicity"), template.notice_publicity),
        ),
        commitment_text=template.commitment_text,
        fields=tuple((labels.get(k, k), v) for k, v in commitment.field_values.items()),
        obligations=tuple(
            (rule.title, f"{deadline.due_date.isoformat()} ({deadline.explain()})")
            for rule, deadline in obligation_deadlines(template=template, signed_on=on)
        ),
        language=language,
    )


def commitment_preview(*, commitment: Commitment, by: AbstractBaseUser) -> bytes:
    _check_representative(by, commitment.subject)
    return render_commitment_pdf(commitment_document(commitment=commitment))


@dataclass(frozen=True)
class SignatureOutcome:
    commitment: Commitment
    obligations: list[Obligation]


@transaction.atomic
def commitment_sign(*, commitment: Commitment, by: AbstractBaseUser) -> SignatureOutcome:
    """Sign the commitment as the authenticated representative and store the exact bytes.

    Must run inside the caller's transaction (the verification process starts in it too).
    """
    _check_representative(by, commitment.subject)
    locked = (
        Commitment.objects.select_for_update()
        .select_related("template", "template__matter", "subject")
        .get(pk=commitment.pk)
    )
    if not can_proceed(locked.sign):
        raise _already_signed_or_state(locked)
    if locked.template.status != CommitmentTemplate.Status.ACTIVE:
        raise CommitmentError(
            ErrorCode.TEMPLATE_NOT_ACTIVE,
            _("This commitment template was closed after the draft was made."),
            field="template",
        )
    now = timezone.now()
    signed_on = timezone.localdate(now)
    document = commitment_document(commitment=locked, on=signed_on)
    try:
        signed = sign_pdf(
            render_commitment_pdf(document),
            signer=SignerIdentity(
                subject_code=locked.subject.code,
                subject_name=locked.subject.name,
                is_organisation=locked.subject.kind == Subject.Kind.COMPANY,
                user_label=by.get_username(),
            ),
            reason=f"{locked.template.title} {locked.reference}",
        )
        stored = document_store(
            data=signed.data, signer_certificate_serial=signed.certificate_serial
        )
    except SigningError as error:
        raise CommitmentError(ErrorCode.INVALID_STATE, str(error)) from error
    locked.sign(at=now, by=by, document=stored)
    try:
        _save(locked, by=by, reason="signed")
    except ConcurrentTransition:
        raise CommitmentError(
            ErrorCode.ALREADY_SIGNED,
            _("This commitment has already been signed."),
            field="status",
        ) from None
    obligations = []
    for rule, deadline in obligation_deadlines(template=locked.template, signed_on=signed_on):
        obligation = Obligation(
            commitment=locked,
            rule=rule,
            title=rule.title,
            due_date=deadline.due_date,
            due_basis=deadline.as_basis(),
        )
        _save(obligation, by=by, reason="obligation due date set on signing")
        obligations.append(obligation)
    return SignatureOutcome(locked, obligations)


def commitment_withdraw(*, commitment: Commitment, by: AbstractBaseUser, reason: str) -> Commitment:
    _check_representative(by, commitment.subject)
    with transaction.atomic():
        locked = Commitment.objects.select_for_update().get(pk=commitment.pk)
        if not can_proceed(locked.withdraw):
            raise _already_signed_or_state(locked)
        locked.withdraw()
        _save(locked, by=by, reason=reason or "withdrawn by the applicant")
    return locked


def verification_deadline(*, commitment: Commitment) -> Deadline:
    template = commitment.template
    return deadline_after(
        timezone.localdate(commitment.signed_at),
        template.verification_window,
        template.verification_window_unit,
    )


@transaction.atomic
def commitment_open_verification(
    *, commitment: Commitment, department: Department, by: AbstractBaseUser | None = None
) -> Commitment:
    """Hand a signed commitment to the competent department with its verification deadline."""
    locked = Commitment.objects.select_for_update().select_related("template").get(pk=commitment.pk)
    deadline = verification_deadline(commitment=locked)
    locked.open_verification(
        department=department, due_at=deadline.end_of_day(), due_basis=deadline.as_basis()
    )
    _save(locked, by=by or system_user(), reason=f"verification opened at {department.code}")
    return locked


def _check_regulator(user: AbstractBaseUser, department: Department | None) -> None:
    if (
        department is None
        or not RegulatorMembership.objects.filter(
            user=user, department=department, is_active=True
        ).exists()
    ):
        raise CommitmentError(
            ErrorCode.FORBIDDEN,
            _("Only the competent department can verify this commitment."),
        )


@transaction.atomic
def verification_record(
    *,
    commitment: Commitment,
    regulator: AbstractBaseUser,
    method: str,
    finding: str,
    reason: str = "",
) -> Verification:
    """Record a regulator's finding and move the commitment to fulfilled or breached."""
    locked = Commitment.objects.select_for_update().get(pk=commitment.pk)
    _check_regulator(regulator, locked.department)
    if locked.status != Commitment.Status.UNDER_VERIFICATION:
        raise CommitmentError(
            ErrorCode.INVALID_STATE,
            _("This commitment is not awaiting verification."),
            field="status",
        )
    if method not in VerificationMethod.values:
        raise _invalid("method", _("Choose a verification method."))
    if finding not in Verification.Finding.values:
        raise _invalid("finding", _("Choose a finding."))
    now = timezone.now()
    verification = Verification(
        commitment=locked,
        regulator=regulator,
        method=method,
        finding=finding,
        reason=(reason or "").strip(),
        verified_at=now,
    )
    try:
        _save(verification, by=regulator, reason=f"verification recorded: {finding}")
    except ValidationError as error:
        raise CommitmentError(
            ErrorCode.INVALID,
            _("Some fields need correcting."),
            fields=error.message_dict,
            field=next(iter(error.message_dict)),
        ) from None
    if finding == Verification.Finding.FULFILLED:
        locked.confirm_fulfilled(at=now)
    else:
        locked.confirm_breached(at=now)
    _save(
        locked,
        by=regulator,
        reason=(
            f"verified: {finding}" + (f" — {verification.reason}" if verification.reason else "")
        ),
    )
    return verification
