"""Drafting, previewing, signing and withdrawing commitments."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, can_proceed

from commitments.catalogue.models import CommitmentTemplate, ObligationRule
from commitments.errors import CommitmentError, ErrorCode
from commitments.lifecycle.models import Commitment
from commitments.lifecycle.services.issue import clean_field_values, commitment_issue
from commitments.lifecycle.services.register import registry_event_append
from commitments.lifecycle.services.signatures import (
    commitment_document_sign,
    commitment_signer_prepare,
    commitment_upload_accept,
    issued_form_record,
    issued_forms_supersede,
)
from commitments.lifecycle.services.signing_requests import signing_request_close
from commitments.obligations.models import Obligation
from commitments.obligations.services.ladder import warning_schedule_create
from directory.audit import audited_clean, audited_save
from directory.bulk import bulk_insert_with_history
from directory.calendar import deadline_after
from directory.city import CITY_TIME
from directory.compiled import CompiledQuery, prefetched
from directory.errors import DirectoryError, DirectoryErrorCode
from directory.models import Region, Subject
from directory.representation.models import Representation
from directory.representation.selectors import (
    representation_draft_check,
    representation_open_get,
    representation_sign_check,
)
from directory.representation.services import representation_prove
from signing.models import SignedDocument
from signing.pades.sign import PreparedSigner
from signing.render.commitment import CommitmentDocument, SignatureBlock, render_commitment_pdf
from signing.render.glyphs import undrawable_message


def _not_representative() -> CommitmentError:
    return CommitmentError(
        ErrorCode.FORBIDDEN, _("You do not represent this subject."), field="subject"
    )


def check_drafter(
    user: AbstractBaseUser, subject: Subject, commitment: Commitment | None = None
) -> None:
    """Refuse anyone who may not prepare drafts for the subject.

    A claim (a code typed at registration, a letter under review) is enough to prepare a
    draft of one's own; another's draft needs a proven representation.
    """
    try:
        representation = representation_draft_check(user=user, subject_id=subject.pk)
    except DirectoryError:
        raise _not_representative() from None
    if (
        commitment is not None
        and representation.status != representation.Status.PROVEN
        and commitment.created_by_id != user.pk
    ):
        raise _not_representative()


def check_representative(user: AbstractBaseUser, commitment: Commitment) -> None:
    """Refuse anyone who may not sign for the subject on the commitment's matter.

    Unproven claimants, agents outside their scope or period get the directory's refusal,
    which says how to prove or renew; others are told they do not represent the subject.
    """
    open_row = representation_open_get(user=user, subject_id=commitment.subject_id)
    if open_row is None:
        raise _not_representative()
    representation_sign_check(
        user=user,
        subject_id=commitment.subject_id,
        matter_id=commitment.template.matter_id,
        open_row=open_row,
    )


def commitment_create(
    *,
    by: AbstractBaseUser,
    subject: Subject,
    template: CommitmentTemplate,
    field_values: dict,
    region: Region | None = None,
) -> Commitment:
    """Start a draft commitment for a subject the user represents or has claimed."""
    check_drafter(by, subject)
    return commitment_issue(
        by=by, subject=subject, template=template, field_values=field_values, region=region
    )


def commitment_update_draft(
    *, commitment: Commitment, by: AbstractBaseUser, field_values: dict
) -> Commitment:
    check_drafter(by, commitment.subject, commitment)
    with transaction.atomic():
        locked = Commitment.objects.select_for_update().get(pk=commitment.pk)
        if locked.status != Commitment.Status.DRAFT:
            raise already_signed_or_state(locked)
        locked.field_values = clean_field_values(locked.template, field_values)
        audited_save(locked, by=by, reason="draft edited")
        # A form downloaded before this edit no longer says what the commitment says.
        issued_forms_supersede(commitment=locked)
    return locked


def already_signed_or_state(commitment: Commitment) -> CommitmentError:
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


def commitment_document(
    *,
    commitment: Commitment,
    on=None,
    preview: bool = False,
    signature: SignatureBlock | None = None,
    created_at: datetime | None = None,
) -> CommitmentDocument:
    """The document the applicant reads, previews and signs (deadlines as if signed ``on``).

    Without ``signature`` it is the form to be signed (with one's own certificate, or as a
    ``preview`` carrying the 样稿 watermark); with it, the document the platform signs, its
    block naming signatory, company, time and certificate. The PDF's dates are
    ``created_at``, by default the start of ``on`` in China Standard Time, so the form
    rendered for a day is the same bytes all day (downloaded again, it is the same issued
    form: ``signatures.issued_form_record``).
    """
    template = commitment.template
    on = on or timezone.localdate()
    language = "en" if (translation.get_language() or "").startswith("en") else "zh-hans"
    if created_at is None:
        created_at = datetime.combine(on, time.min, tzinfo=CITY_TIME)
    return CommitmentDocument(
        reference=commitment.reference,
        title=template.title,
        template_label=_("%(title)s, version %(version)s")
        % {"title": template.title, "version": template.version},
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
        fields=tuple(commitment.field_rows()),
        obligations=tuple(
            (rule.title, f"{deadline.due_date.isoformat()} ({deadline.explain()})")
            for rule, deadline in obligation_deadlines(template=template, signed_on=on)
            if template.rules.creates_obligations
        ),
        language=language,
        consequence=(str(template.get_consequence_display()) if template.consequence else ""),
        particulars=_particulars(commitment),
        signature=signature,
        is_preview=preview and signature is None,
        created_at=created_at,
    )


# What a kind of commitment stands for beyond its fields, drawn under them in its PDF: a
# kind built on lifecycle (the bidding pledge) registers its reader from its app's ready().
_PARTICULARS: dict[str, Callable[[Commitment], tuple[tuple[str, str], ...]]] = {}


def particulars_register(
    *, kind: str, reader: Callable[[Commitment], tuple[tuple[str, str], ...]]
) -> None:
    """Have ``reader`` give the particulars (label, text) of commitments of ``kind``."""
    _PARTICULARS[kind] = reader


def _particulars(commitment: Commitment) -> tuple[tuple[str, str], ...]:
    reader = _PARTICULARS.get(commitment.template.kind)
    return reader(commitment) if reader else ()


def signature_block(
    *, commitment: Commitment, by: AbstractBaseUser, at: datetime, signer: PreparedSigner
) -> SignatureBlock:
    """The visible signature block of a commitment the platform signs for ``by`` at ``at``."""
    return SignatureBlock(
        signatory=by.get_full_name() or by.get_username(),
        company=commitment.subject.name,
        company_code=commitment.subject.code,
        signed_at=at,
        certificate_subject=signer.certificate_holder,
        certificate_serial=signer.certificate_serial,
        certificate_issuer=signer.certificate_issuer,
    )


def commitment_drawable_check(
    *, commitment: Commitment, document: CommitmentDocument | None = None
) -> None:
    """Refuse a draft the PDF cannot show (one stored before its characters were checked),
    naming each field and its characters, instead of failing in the renderer."""
    document = document or commitment_document(commitment=commitment)
    texts = {
        "subject": commitment.subject.name,
        "template": "".join(
            (
                document.title,
                document.matter,
                document.commitment_text,
                *(text for _heading, text in document.notice),
                *(label for label, _value in document.fields),
                *(title for title, _due in document.obligations),
            )
        ),
    }
    texts |= {f"field_values.{name}": str(value) for name, value in commitment.field_values.items()}
    errors = {
        field: [problem]
        for field, text in texts.items()
        if (problem := undrawable_message(text)) is not None
    }
    if errors:
        everything = undrawable_message("".join(texts.values()))
        raise CommitmentError(
            ErrorCode.INVALID,
            _("This draft cannot be signed until it is corrected. %(problem)s")
            % {"problem": everything},
            fields=errors,
        )


def commitment_preview(
    *, commitment: Commitment, by: AbstractBaseUser, for_signing_elsewhere: bool = False
) -> bytes:
    """Render the draft: a 样稿 preview to read, or the form to sign with one's own key.

    The form to sign elsewhere is today's render without a watermark, recorded as issued
    (``signatures.issued_form_record``): an upload is accepted only as an issued form plus a
    signature (``signatures.commitment_upload_check``).
    """
    check_drafter(by, commitment.subject, commitment)
    on = timezone.localdate()
    if for_signing_elsewhere:
        document = commitment_document(commitment=commitment, on=on)
    else:
        document = commitment_document(
            commitment=commitment, preview=True, created_at=timezone.now()
        )
    commitment_drawable_check(commitment=commitment, document=document)
    pdf = render_commitment_pdf(document)
    if for_signing_elsewhere:
        issued_form_record(
            commitment=commitment, by=by, pdf=pdf, rendered_on=on, language=document.language
        )
    return pdf


@dataclass(frozen=True)
class SignatureOutcome:
    commitment: Commitment
    obligations: list[Obligation]


def _to_sign(commitment_id: int) -> QuerySet[Commitment]:
    return (
        # of=self: FOR UPDATE would otherwise lock the shared template row for every signer.
        Commitment.objects.select_for_update(of=("self",))
        .select_related(
            "template",
            "template__matter",
            "template__warning_policy",
            "subject",
            "region__parent",  # the routing reads the region's lineage (a city above a district)
        )
        .filter(pk=commitment_id)
    )


# Read under its lock at every signing: compiled once (directory.compiled).
_TO_SIGN = CompiledQuery(_to_sign, -1_730_101_101)
_RULES = CompiledQuery(
    lambda template_id: ObligationRule.objects.filter(template_id=template_id), -1_730_101_102
)


def commitment_sign(
    *, commitment: Commitment, by: AbstractBaseUser, uploaded_pdf: bytes | None = None
) -> SignatureOutcome:
    """Sign the commitment as the authenticated representative and store the exact bytes.

    The applicant's signature is PAdES B-T and the platform seals it at B-LTA
    (``signatures.commitment_document_sign``); with ``uploaded_pdf`` the applicant signed
    elsewhere and the upload is checked and sealed instead. A timestamp service that does
    not answer raises ``signatures.SigningPending`` and changes nothing. Must run inside the
    caller's transaction (the verification process starts in it too).

    Only a proven representative within its period (an agent: within its scope of matters)
    signs. An unproven claimant may sign only by uploading a PDF signed with a CA-issued
    enterprise certificate carrying the subject's code: the accepted upload proves the claim
    (``representation_prove``, method certificate, evidence its serial and issuer).

    No savepoint of its own (ADR 0036): inside the caller's transaction a refusal raised before
    anything is written (``SigningPending`` is one, and its caller records the wait and goes
    on) leaves the transaction usable; a failure once the signing is being recorded marks the
    transaction for rollback, as an atomic block without a savepoint does. Outside any
    transaction it runs in one of its own.
    """
    if not transaction.get_connection().in_atomic_block:
        with transaction.atomic():
            return commitment_sign(commitment=commitment, by=by, uploaded_pdf=uploaded_pdf)
    proves_claim = False
    try:
        check_representative(by, commitment)
    except DirectoryError as error:
        if uploaded_pdf is None or error.code != DirectoryErrorCode.REPRESENTATION_UNPROVEN:
            raise
        check_drafter(by, commitment.subject, commitment)
        proves_claim = True
    found = _TO_SIGN.models(commitment.pk)
    if not found:
        raise Commitment.DoesNotExist("Commitment matching query does not exist.")
    (locked,) = found
    # For the PDF and the plan: what prefetch_related_objects(…, "template__obligation_rules")
    # leaves, read by a statement compiled once.
    prefetched(locked.template, "obligation_rules", _RULES.models(locked.template_id))
    if not can_proceed(locked.sign):
        raise already_signed_or_state(locked)
    if locked.template.status != CommitmentTemplate.Status.ACTIVE:
        raise CommitmentError(
            ErrorCode.TEMPLATE_NOT_ACTIVE,
            _("This commitment template was closed after the draft was made."),
            field="template",
        )
    now = timezone.now()
    signed_on = timezone.localdate(now)
    if uploaded_pdf is None:
        signer = commitment_signer_prepare(commitment=locked, by=by)
        document = commitment_document(
            commitment=locked,
            on=signed_on,
            signature=signature_block(commitment=locked, by=by, at=now, signer=signer),
            created_at=now,
        )
        commitment_drawable_check(commitment=locked, document=document)
        stored = commitment_document_sign(
            commitment=locked, by=by, pdf=render_commitment_pdf(document), signer=signer
        )
    else:
        commitment_drawable_check(commitment=locked)

        def render(on, language: str) -> bytes:
            with translation.override(language):
                return render_commitment_pdf(commitment_document(commitment=locked, on=on))

        accepted = commitment_upload_accept(commitment=locked, data=uploaded_pdf, render=render)
        stored, signed_on = accepted.document, accepted.rendered_on
    # Signed and stored (the document row is the first write, and the last statement that can
    # raise SigningPending): from here on any failure dooms the caller's transaction.
    try:
        if proves_claim:
            representation_prove(
                user=by,
                code=locked.subject.code,
                name=locked.subject.name,
                role=Representation.Role.LEGAL_REPRESENTATIVE,
                method=Representation.Method.CERTIFICATE,
                evidence={
                    "certificate_serial": accepted.certificate_serial,
                    "certificate_issuer": accepted.certificate_issuer,
                    "commitment": locked.reference,
                    "document_sha256": stored.sha256,
                },
                by=by,
            )
        return _signature_record(locked=locked, by=by, stored=stored, now=now, signed_on=signed_on)
    except BaseException:
        transaction.set_rollback(True)
        raise


def _signature_record(
    *,
    locked: Commitment,
    by: AbstractBaseUser,
    stored: SignedDocument,
    now: datetime,
    signed_on: date,
) -> SignatureOutcome:
    """Record the signing of ``locked`` (read under its lock): the commitment signed, its
    obligations and warnings planned, a pending request closed, the register's entry."""
    rules = locked.template.rules
    if rules.is_published and locked.template.publicity_days and not rules.has_own_process:
        # Published for its term: from the day of signing, the term's last day included.
        locked.published_until = signed_on + timedelta(days=locked.template.publicity_days - 1)
    locked.sign(at=now, by=by, document=stored)
    try:
        audited_save(locked, by=by, reason="signed")
    except ConcurrentTransition:
        raise CommitmentError(
            ErrorCode.ALREADY_SIGNED,
            _("This commitment has already been signed."),
            field="status",
        ) from None
    obligations = []
    planned = (
        obligation_deadlines(template=locked.template, signed_on=signed_on)
        if rules.creates_obligations
        else []
    )
    for rule, deadline in planned:
        obligation = Obligation(
            commitment=locked,
            rule=rule,
            title=rule.title,
            title_zh_hans=rule.title_zh_hans,
            title_en=rule.title_en,
            due_date=deadline.due_date,
            due_basis=deadline.as_basis(),
        )
        audited_clean(obligation)
        obligations.append(obligation)
    # ``bulk_create_with_history`` (same actor and reason): on PostgreSQL one statement for
    # them and their history rows, compiled once (``directory.bulk``).
    bulk_insert_with_history(
        Obligation,
        obligations,
        default_user=by,
        default_change_reason="obligation due date set on signing",
    )
    warning_schedule_create(obligations=obligations)
    signing_request_close(commitment=locked, by=by)
    registry_event_append(
        event_type="signed",
        commitment=locked,
        actor=by,
        payload={"document_sha256": stored.sha256},
    )
    return SignatureOutcome(locked, obligations)
