"""Issuing a special credit report and checking one.

``report_request`` refuses a span longer than five years, a span that ends in the future or
starts after it ends, and a subject the requester does not represent now (as legal
representative or an authorised agent); a refusal writes only its line in the check log (who,
when, what was asked, why it was refused), like a check. Otherwise it lists the record over the
span by category, renders the PDF, seals it (the platform seal at PAdES B-LTA, its stamp's QR
code leading to the public check), stores it and writes the report's row and its line in the
check log in one transaction. Sealing happens before the transaction: a timestamp service that
does not answer leaves nothing behind.

``report_check`` is the public check by reference (and optionally of a file): whether the
stored report's seal validates, whether an uploaded file is that report unchanged, and whether
the record the report listed has changed since it was issued.

Repair notices (两书同达) are written with the decision by ``credit.record``; here each gets
its sealed PDF once, after the decision's commit (``repair_notice_seal``: a task kicked on
commit, the beat's sweep, or the first reader), stored content-addressed like every signed
document, with a public check at an unguessable address (``repair_notice_check``).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from credit.check.models import REPORT_PURPOSE, CallingSystem, CheckQuery
from credit.check.services import check_query_log
from credit.errors import CreditError, CreditErrorCode
from credit.record.models.notices import RepairNotice
from credit.record.rules import add_months
from credit.reports import selectors
from credit.reports.document import notice_document, report_document
from credit.reports.models import MAX_SPAN_YEARS, CreditReport, SealedRepairNotice
from directory.identifiers import normalise
from signing.errors import InvalidPdf, SigningError, TimestampUnavailable
from signing.models import ArchiveTimestamp
from signing.pades.outcome import VerificationCode, document_outcome, verification_reason
from signing.pades.seal import seal_pdf
from signing.pades.validate import validate_pdf
from signing.render.report import render_issued_document
from signing.storage import document_read, document_store

logger = logging.getLogger(__name__)

REPORTS_SYSTEM_CODE = "credit-reports"
# Unambiguous letters and digits: a reference is read aloud and typed from paper.
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def report_verify_url(reference: str) -> str:
    """The absolute address of a report's public check (the seal's QR code)."""
    return settings.SITE_URL.rstrip("/") + reverse("reports:verify-reference", args=[reference])


def _new_reference(on: date) -> str:
    tail = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(10))
    return f"SR-{on:%Y}-{tail}"


def report_span_check(*, span_from: date, span_until: date, today: date) -> None:
    """Refuse a span that ends in the future, is reversed or covers more than five years."""
    if span_until > today:
        raise CreditError(
            CreditErrorCode.INVALID,
            _("The period cannot end after today (%(today)s).") % {"today": today.isoformat()},
            field="span_until",
        )
    if span_from > span_until:
        raise CreditError(
            CreditErrorCode.INVALID,
            _("The period must start on or before its end."),
            field="span_from",
        )
    earliest = add_months(span_until, -12 * MAX_SPAN_YEARS)
    if span_from < earliest:
        raise CreditError(
            CreditErrorCode.INVALID,
            _(
                "A report covers at most %(years)d years: for a period ending %(end)s, start "
                "on %(earliest)s or later."
            )
            % {"years": MAX_SPAN_YEARS, "end": span_until.isoformat(), "earliest": earliest},
            field="span_from",
        )


def _reports_system() -> CallingSystem:
    """The platform's own entry in the check log's list of callers (made on first use)."""
    system = CallingSystem.objects.filter(code=REPORTS_SYSTEM_CODE).first()
    if system is not None:
        return system
    user_model = get_user_model()
    user, _created = user_model.objects.get_or_create(
        username=f"system-{REPORTS_SYSTEM_CODE}", defaults={"is_active": False}
    )
    system, _created = CallingSystem.objects.get_or_create(
        code=REPORTS_SYSTEM_CODE,
        defaults={
            "name": "Chengnuo special credit reports",
            "operator": "Chengnuo",
            "user": user,
        },
    )
    return system


# The check log keeps at most this much of a code or a day as typed.
SUBJECT_CODE_LOGGED = 32
DAY_LOGGED = 32


def _as_logged(text: str, limit: int) -> str:
    """Text as typed, as the log can keep it: without NUL characters (PostgreSQL's text and
    JSON refuse them) and at most ``limit`` characters."""
    return text.replace("\x00", "")[:limit]


def _day_logged(day: date | str) -> str:
    return _as_logged(day, DAY_LOGGED) if isinstance(day, str) else day.isoformat()


@transaction.atomic
def report_refusal_log(
    *,
    user: AbstractBaseUser,
    subject_code: str,
    span_from: date | str,
    span_until: date | str,
    error: CreditError,
) -> CheckQuery:
    """Log a refused report request in the check log, like a check: who asked (the user), when,
    about which code and span, and why it was refused (the refusal's code, field and message).
    A span that was not even a date is logged as typed.

    The row names no subject (``subject`` is empty, the code as typed is kept): a refused
    requester received nothing, so the subject's later changes are not owed to the platform's
    reports system on its account, and a stranger's attempt does not confirm that the code
    exists. Nothing else is written.
    """
    return check_query_log(
        calling_system=_reports_system(),
        subject_id=None,
        subject_code=_as_logged(normalise(subject_code), SUBJECT_CODE_LOGGED),
        matter_code="",
        purpose=REPORT_PURPOSE,
        reason=(
            f"special credit report refused ({error.code}, {error.field or '-'}) "
            f"to {user.get_username()}"
        ),
        answer={
            "refused": True,
            "code": str(error.code),
            "field": error.field or "",
            "message": str(error.message),
            "requested_by": user.pk,
            "span_from": _day_logged(span_from),
            "span_until": _day_logged(span_until),
        },
    )


def report_day(value: str, *, field: str) -> date:
    """A day typed as YYYY-MM-DD, or a refusal naming the field."""
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        raise CreditError(
            CreditErrorCode.INVALID, _("Enter a date as YYYY-MM-DD."), field=field
        ) from None


def report_request(
    *,
    user: AbstractBaseUser,
    subject_code: str,
    span_from: date | str,
    span_until: date | str,
    today: date | None = None,
    now: datetime | None = None,
) -> CreditReport:
    """Issue a sealed special credit report of a subject ``user`` represents (see module).

    The span may be given as typed (text): a day that is not a date is refused and logged
    like any other refusal, with the text as typed."""
    today = today or timezone.localdate()
    try:
        if isinstance(span_from, str):
            span_from = report_day(span_from, field="span_from")
        if isinstance(span_until, str):
            span_until = report_day(span_until, field="span_until")
        report_span_check(span_from=span_from, span_until=span_until, today=today)
        subject = selectors.report_subjects(user=user).filter(code=normalise(subject_code)).first()
        if subject is None:
            raise CreditError(
                CreditErrorCode.NOT_FOUND,
                _(
                    "You do not represent a subject with this code, so you cannot request its "
                    "report."
                ),
                field="subject",
            )
    except CreditError as error:
        report_refusal_log(
            user=user,
            subject_code=subject_code,
            span_from=span_from,
            span_until=span_until,
            error=error,
        )
        raise
    issued_at = now or timezone.now()
    reference = _new_reference(today)
    content = selectors.report_content(subject=subject, span_from=span_from, span_until=span_until)
    document = report_document(
        content=content,
        reference=reference,
        issued_at=issued_at,
        verify_url=report_verify_url(reference),
    )
    try:
        sealed = seal_pdf(
            render_issued_document(document),
            reference=reference,
            verify_url=report_verify_url(reference),
        )
    except TimestampUnavailable as error:
        raise CreditError(
            CreditErrorCode.INVALID_STATE,
            _("The time-stamping service did not answer: nothing was issued. Try again shortly."),
        ) from error
    except SigningError as error:
        raise CreditError(CreditErrorCode.INVALID_STATE, str(error)) from error
    with transaction.atomic():
        stored = document_store(data=sealed.data)
        ArchiveTimestamp.objects.get_or_create(
            document=stored, defaults={"expires_at": sealed.timestamp_expires_at}
        )
        report = CreditReport.objects.create(
            reference=reference,
            subject=subject,
            requested_by=user,
            span_from=span_from,
            span_until=span_until,
            language=translation.get_language() or settings.LANGUAGE_CODE,
            issued_at=issued_at,
            entry_count=content.entry_count,
            record_digest=content.digest(),
            document=stored,
        )
        check_query_log(
            calling_system=_reports_system(),
            subject_id=subject.pk,
            subject_code=subject.code,
            matter_code="",
            purpose=REPORT_PURPOSE,
            reason=f"special credit report {reference} requested by {user.get_username()}",
            answer={
                "report": reference,
                "span_from": span_from.isoformat(),
                "span_until": span_until.isoformat(),
                "entries": content.entry_count,
                "sha256": stored.sha256,
            },
        )
    return report


def report_pdf(report: CreditReport) -> bytes:
    """The sealed PDF exactly as issued (its stored bytes, checked against their SHA-256)."""
    return document_read(report.document)


@dataclass(frozen=True)
class ReportCheck:
    """The public check of a report: is it genuine, and has the record changed since?"""

    report: CreditReport
    code: VerificationCode
    is_genuine: bool
    reason: str
    record_changed: bool
    file_checked: bool = False


def report_check(*, reference: str, pdf: bytes | None = None) -> ReportCheck:
    """Check the report issued under ``reference`` (refused ``not_found`` when none was) and,
    when ``pdf`` is given, that this file is that report unchanged."""
    report = selectors.report_get(reference=reference)
    if report is None:
        raise CreditError(
            CreditErrorCode.NOT_FOUND,
            _("No special credit report has this reference. Check it against the report."),
            field="reference",
        )
    content = selectors.report_content(
        subject=report.subject, span_from=report.span_from, span_until=report.span_until
    )
    changed = content.digest() != report.record_digest
    outcome = _sealed_document_check(
        pdf=pdf,
        stored=lambda: report_pdf(report),
        stored_sha256=report.document.sha256,
        another_file=_(
            "The file carries a valid platform seal but is not the report issued under this "
            "reference."
        ),
        genuine=_("Sealed by the platform and unchanged since: this report is genuine."),
    )
    return ReportCheck(
        report=report,
        code=outcome.code,
        is_genuine=outcome.is_genuine,
        reason=outcome.reason,
        record_changed=changed,
        file_checked=pdf is not None,
    )


@dataclass(frozen=True)
class SealOutcome:
    """What checking a sealed document (or a file claimed to be it) found."""

    code: VerificationCode
    is_genuine: bool
    reason: str


def _sealed_document_check(
    *,
    pdf: bytes | None,
    stored: Callable[[], bytes],
    stored_sha256: str,
    another_file: str,
    genuine: str,
) -> SealOutcome:
    """Validate the uploaded ``pdf`` (or the stored document when none) and, for an upload
    whose seal is valid, compare it with the stored document's hash. ``another_file`` is the
    reason for a validly sealed file that is not this document, ``genuine`` the reason when
    it is."""
    data = stored() if pdf is None else pdf
    try:
        code = document_outcome(validate_pdf(data))
    except InvalidPdf:
        code = VerificationCode.MALFORMED_PDF
    if code != VerificationCode.VALID:
        return SealOutcome(code=code, is_genuine=False, reason=verification_reason(code))
    if pdf is not None and hashlib.sha256(pdf).hexdigest() != stored_sha256:
        return SealOutcome(code=code, is_genuine=False, reason=another_file)
    return SealOutcome(code=code, is_genuine=True, reason=genuine)


# -- repair notices: sealed once, after the decision's commit ---------------------------------


def repair_notice_verify_url(*, reference: str, check_code: str) -> str:
    """The absolute address of a sealed notice's public check (its stamp's QR code)."""
    return settings.SITE_URL.rstrip("/") + reverse(
        "reports:notice-verify", args=[reference, check_code]
    )


def repair_notice_seal(*, notice_id: int, wait: bool = True) -> SealedRepairNotice | None:
    """Seal the notice's PDF (platform seal, B-LTA) and store it, once; return the seal.

    Idempotent: a notice already sealed returns its seal. The notice's row is locked while
    it is sealed, so two sealers never both call the time-stamping service for it: with
    ``wait`` the caller waits for the other one's seal (a reader), without it (the sweep) it
    gets None and moves on. Rendered in the platform's language (``LANGUAGE_CODE``): the
    sealed notice is one document, the same for every reader. Raises ``TimestampUnavailable``
    (nothing written) when the time-stamping service does not answer.
    """
    with transaction.atomic():
        notice = (
            RepairNotice.objects.select_for_update(of=("self",), skip_locked=not wait)
            .select_related("breach__subject", "breach__category", "rule_set")
            .filter(pk=notice_id)
            .first()
        )
        if notice is None:
            return None
        existing = SealedRepairNotice.objects.filter(notice=notice).first()
        if existing is not None:
            return existing
        check_code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(12))
        verify_url = repair_notice_verify_url(reference=notice.reference, check_code=check_code)
        sealed_at = timezone.now()
        with translation.override(settings.LANGUAGE_CODE):
            pdf = render_issued_document(notice_document(notice, verify_url=verify_url))
        sealed = seal_pdf(pdf, reference=notice.reference, verify_url=verify_url)
        stored = document_store(data=sealed.data)
        ArchiveTimestamp.objects.get_or_create(
            document=stored, defaults={"expires_at": sealed.timestamp_expires_at}
        )
        return SealedRepairNotice.objects.create(
            notice=notice,
            check_code=check_code,
            language=settings.LANGUAGE_CODE,
            sealed_at=sealed_at,
            document=stored,
        )


def repair_notices_seal_due(*, limit: int = 200) -> int:
    """Seal the notices that have no seal yet, oldest first; return how many were sealed.

    Notices another sealer holds are skipped; a time-stamping service that does not answer
    ends the run (the next one tries again).
    """
    due = list(
        RepairNotice.objects.filter(sealed__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    sealed = 0
    for notice_id in due:
        try:
            if repair_notice_seal(notice_id=notice_id, wait=False) is not None:
                sealed += 1
        except TimestampUnavailable:
            logger.warning("time-stamping service unavailable: %d notices left", len(due) - sealed)
            break
    return sealed


def repair_notice_pdf(notice: RepairNotice) -> bytes:
    """The notice's sealed PDF exactly as stored (sealed now if the sweep has not yet)."""
    try:
        sealed = repair_notice_seal(notice_id=notice.pk)
    except TimestampUnavailable as error:
        raise CreditError(
            CreditErrorCode.INVALID_STATE,
            _(
                "The notice is being sealed: the time-stamping service did not answer. Try again "
                "shortly."
            ),
        ) from error
    return document_read(sealed.document)


@dataclass(frozen=True)
class NoticeCheck:
    """The public check of a sealed repair notice: is it genuine, and where is the record now?"""

    sealed: SealedRepairNotice
    code: VerificationCode
    is_genuine: bool
    reason: str
    file_checked: bool = False


def repair_notice_check(
    *, reference: str, check_code: str, pdf: bytes | None = None
) -> NoticeCheck:
    """Check the notice sealed under ``reference`` and ``check_code`` (both from its QR code),
    and, when ``pdf`` is given, that this file is that notice unchanged."""
    sealed = (
        SealedRepairNotice.objects.filter(
            notice__reference=reference, check_code=check_code.strip().upper()
        )
        .select_related("notice__breach__subject", "notice__breach__category", "document")
        .first()
    )
    if sealed is None:
        raise CreditError(
            CreditErrorCode.NOT_FOUND,
            _("No sealed repair notice has this reference and check code."),
            field="reference",
        )
    outcome = _sealed_document_check(
        pdf=pdf,
        stored=lambda: document_read(sealed.document),
        stored_sha256=sealed.document.sha256,
        another_file=_(
            "The file carries a valid platform seal but is not the notice issued under this "
            "reference."
        ),
        genuine=_("Sealed by the platform and unchanged since: this notice is genuine."),
    )
    return NoticeCheck(
        sealed=sealed,
        code=outcome.code,
        is_genuine=outcome.is_genuine,
        reason=outcome.reason,
        file_checked=pdf is not None,
    )
