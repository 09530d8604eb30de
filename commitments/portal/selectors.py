"""Reads for the public portal and the public verification pages: what may be shown to
anyone, searchable and paginated, and what a signed commitment PDF proves.

Natural persons are not searchable or profiled on the portal; on lists they appear with a
masked name and no identifier. A PDF anyone uploads for verification is validated in memory
and never stored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from commitments.catalogue.models import CommitmentKind, CommitmentTemplate
from commitments.lifecycle.models import Commitment
from commitments.lifecycle.selectors import timeline_sentences
from commitments.lifecycle.services.signatures import (
    public_verify_url,
    upload_limit_bytes,
    upload_refused,
)
from credit.record.models.breaches import ListEntry
from credit.record.models.rules import CreditList
from directory.identifiers import mask_person_name, normalise
from directory.models import Department, Matter, Subject
from signing.errors import SignatureRefused, SigningError
from signing.models import SignedDocument
from signing.pades.outcome import (
    document_outcome,
    signature_outcome,
    verification_reason,
)
from signing.pades.upload import inspect_upload
from signing.pades.validate import ValidationReport, validate_pdf
from signing.render.evidence import EvidenceCertificate, EvidenceLine, render_evidence_certificate
from signing.storage import document_read


def _search(q: str, *, code: str = "code", name: str = "name") -> Q:
    q = (q or "").strip()
    if not q:
        return Q()
    return Q(**{code: normalise(q)}) | Q(**{f"{name}__icontains": q})


def public_commitment_list(
    *,
    q: str = "",
    matter_id: int | None = None,
    department_id: int | None = None,
    signed_from: date | None = None,
    signed_to: date | None = None,
    kind: str | None = None,
    now=None,
) -> QuerySet[Commitment]:
    """Signed commitments within their template's publicity period, newest first; narrowed
    by kind, matter, department and the days they were signed (China Standard Time). A
    voluntary public commitment leaves the list by itself when its term ends."""
    now = now or timezone.now()
    periods = set(
        CommitmentTemplate.objects.filter(publicity_days__gt=0).values_list(
            "publicity_days", flat=True
        )
    )
    within = Q(pk__in=[])
    for days in periods:  # one range per distinct period: portable and index-friendly
        within |= Q(template__publicity_days=days, signed_at__gt=now - timedelta(days=days))
    return (
        Commitment.objects.filter(within, signed_at__isnull=False)
        .exclude(status=Commitment.Status.WITHDRAWN)
        .filter(subject__kind=Subject.Kind.COMPANY)
        .filter(_search(q, code="subject__code", name="subject__name"))
        .filter(_narrowed(matter_id, department_id, signed_from, signed_to))
        .filter(Q(template__kind=kind) if kind else Q())
        .select_related("subject", "template", "template__matter", "department")
        .order_by("-signed_at", "-pk")
    )


def public_commitment_get(*, reference: str, now=None) -> Commitment | None:
    """One commitment being made public (as listed), or None once its term has ended."""
    return public_commitment_list(now=now).filter(reference=reference).first()


def public_commitment_kinds() -> list:
    """The kinds a visitor may narrow the public commitments to (those that are published)."""
    return list(CommitmentKind.objects.filter(is_published=True, has_own_process=False))


def _narrowed(matter_id, department_id, signed_from, signed_to) -> Q:
    condition = Q()
    if matter_id:
        condition &= Q(template__matter_id=matter_id)
    if department_id:
        condition &= Q(department_id=department_id)
    zone = timezone.get_current_timezone()
    if signed_from:
        condition &= Q(signed_at__gte=datetime.combine(signed_from, time.min, tzinfo=zone))
    if signed_to:
        condition &= Q(
            signed_at__lt=datetime.combine(signed_to + timedelta(days=1), time.min, tzinfo=zone)
        )
    return condition


def public_commitment_filter_choices() -> dict:
    """The matters and departments a visitor may narrow the public commitments to."""
    return {
        "matters": list(
            Matter.objects.filter(templates__publicity_days__gt=0).distinct().order_by("code")
        ),
        "departments": list(Department.objects.order_by("code")),
    }


def public_subject_search(*, q: str) -> QuerySet[Subject]:
    if not (q or "").strip():
        return Subject.objects.none()
    return (
        Subject.objects.filter(kind=Subject.Kind.COMPANY).filter(_search(q)).order_by("name", "pk")
    )


def public_list_entries(
    *,
    kind: str,
    q: str = "",
    current: bool = True,
    credit_list_id: int | None = None,
    department_id: int | None = None,
    entered_from: date | None = None,
    entered_to: date | None = None,
) -> QuerySet[ListEntry]:
    """Designations on red or black lists: current ones, or those that have ended; narrowed
    by list, by the department that recorded the breach and by the days they were entered."""
    status = ListEntry.Status.LISTED if current else ListEntry.Status.EXITED
    narrowed = Q()
    if credit_list_id:
        narrowed &= Q(credit_list_id=credit_list_id)
    if department_id:
        narrowed &= Q(breach__department_id=department_id)
    if entered_from:
        narrowed &= Q(entered_on__gte=entered_from)
    if entered_to:
        narrowed &= Q(entered_on__lte=entered_to)
    entries = (
        ListEntry.objects.filter(credit_list__kind=kind, status=status, entered_on__isnull=False)
        .filter(_search(q, code="subject__code", name="subject__name"))
        .filter(narrowed)
        .select_related("credit_list", "subject")
    )
    order = ["-entered_on", "-pk"] if current else ["-exited_on", "-pk"]
    return entries.order_by(*order)


def public_list_filter_choices(*, kind: str) -> dict:
    """The lists of a kind and the departments a visitor may narrow the entries to."""
    return {
        "lists": list(CreditList.objects.filter(kind=kind).order_by("pk")),
        "departments": list(Department.objects.order_by("code")),
    }


def list_kinds() -> list[tuple[str, str]]:
    return list(CreditList.Kind.choices)


def public_subject(*, code: str) -> Subject | None:
    return Subject.objects.filter(code=normalise(code), kind=Subject.Kind.COMPANY).first()


def masked_name(subject: Subject) -> str:
    if subject.kind == Subject.Kind.COMPANY:
        return subject.name
    return mask_person_name(subject.name)


# -- public verification -----------------------------------------------------------------------


PUBLIC_STATUS = {
    Commitment.Status.DRAFT: gettext_lazy("Not signed"),
    Commitment.Status.SIGNED: gettext_lazy("Signed, awaiting verification"),
    Commitment.Status.UNDER_VERIFICATION: gettext_lazy("Signed, under verification"),
    Commitment.Status.FULFILLED: gettext_lazy("Verified: fulfilled"),
    Commitment.Status.BREACHED: gettext_lazy("Verified: breached"),
    Commitment.Status.WITHDRAWN: gettext_lazy("Withdrawn"),
    Commitment.Status.EXEMPT: gettext_lazy("Signed, exempt from verification"),
}


def _latest_version(document: SignedDocument) -> SignedDocument:
    """Follow renewals (new archive timestamps) to the newest version of a document."""
    current = document
    for _hop in range(100):
        following = getattr(current, "next_version", None)
        if following is None:
            return current
        current = following.document
    return current


def outcome_json(code) -> dict:
    """The outcome as the JSON and the page give it: a stable code and a plain reason."""
    return {"code": str(code), "reason": verification_reason(code)}


def _signatures_json(report: ValidationReport) -> list[dict]:
    return [
        {
            "field": signature.field_name,
            "kind": "platform_seal" if signature.is_platform_seal else "applicant",
            "signer": signature.signer_name,
            "signer_code": signature.signer_code,
            "signed_at": signature.timestamp_time.isoformat() if signature.timestamp_time else None,
            "claimed_time": signature.signing_time.isoformat() if signature.signing_time else None,
            "timestamped": signature.timestamp_time is not None,
            "timestamp_trusted": signature.timestamp_trusted,
            "intact": signature.intact,
            "trusted": signature.trusted,
            "valid": signature.bottom_line and signature.intact,
            "outcome": outcome_json(signature_outcome(signature)),
        }
        for signature in report.signatures
    ]


def _commitment_json(commitment: Commitment | None) -> dict | None:
    if commitment is None:
        return None
    return {
        "reference": commitment.reference,
        "title": commitment.template.title,
        "subject": commitment.subject.name
        if commitment.subject.kind == Subject.Kind.COMPANY
        else None,
        "status": commitment.status,
        "status_label": str(PUBLIC_STATUS.get(commitment.status, commitment.status)),
        "signed_at": commitment.signed_at.isoformat() if commitment.signed_at else None,
        "register_entries": list(
            commitment.registry_events.order_by("leaf_index").values_list("leaf_index", flat=True)
        ),
    }


def public_report_for_pdf(data: bytes) -> dict:
    """Validate a PDF anyone uploaded and say what it proves; nothing is stored.

    Raises a ``CommitmentError`` (field ``file``) for bytes that are not a plain PDF.
    """
    if len(data) > upload_limit_bytes():
        raise upload_refused("too_large")
    try:
        inspect_upload(data)
        report = validate_pdf(data)
    except SignatureRefused as refusal:
        raise upload_refused(refusal.reason) from refusal
    except SigningError as error:
        raise upload_refused("truncated") from error
    sha256 = hashlib.sha256(data).hexdigest()
    document = SignedDocument.objects.filter(sha256=sha256).first()
    commitment = None
    if document is not None:
        commitment = _commitment_of(document)
    return _report(report=report, sha256=sha256, known=document is not None, commitment=commitment)


def _commitment_of(document: SignedDocument) -> Commitment | None:
    current: SignedDocument | None = document
    for _hop in range(100):
        if current is None:
            return None
        found = (
            Commitment.objects.select_related("template", "subject")
            .filter(signed_document=current)
            .first()
        )
        if found is not None:
            return found
        version = getattr(current, "version_of", None)
        current = version.previous if version is not None else None
    return None


def public_report_for_reference(reference: str) -> dict | None:
    """Return the report of a commitment's stored signed document, or None if unknown."""
    commitment = (
        Commitment.objects.select_related("template", "subject", "signed_document")
        .filter(reference=reference.strip().upper())
        .first()
    )
    if commitment is None or commitment.signed_document is None:
        return None
    document = _latest_version(commitment.signed_document)
    data = document_read(document)
    return _report(
        report=validate_pdf(data), sha256=document.sha256, known=True, commitment=commitment
    )


def _report(
    *, report: ValidationReport, sha256: str, known: bool, commitment: Commitment | None
) -> dict:
    signatures = _signatures_json(report)
    applicant = [s for s in signatures if s["kind"] == "applicant"]
    seal = [s for s in signatures if s["kind"] == "platform_seal"]
    return {
        "sha256": sha256,
        "known_to_platform": known,
        "is_valid": report.is_valid,
        "outcome": outcome_json(document_outcome(report)),
        "signatures": signatures,
        "applicant_signed": bool(applicant) and all(s["valid"] for s in applicant),
        "platform_sealed": bool(seal) and all(s["valid"] for s in seal),
        "document_timestamps": [
            {
                "time": stamp.time.isoformat() if stamp.time else None,
                "intact": stamp.intact,
                "trusted": stamp.trusted,
            }
            for stamp in report.document_timestamps
        ],
        "commitment": _commitment_json(commitment),
    }


def evidence_certificate_pdf(*, commitment: Commitment) -> bytes:
    """Render the certificate of completion: the document, its signatures, every event."""
    lines: list[EvidenceLine] = []
    for entry in timeline_sentences(commitment=commitment, with_bookkeeping=True):
        actor = entry["actor"]
        lines.append(
            EvidenceLine(
                at=entry["at"],
                actor=actor.get_username() if actor is not None else "system",
                what=entry["text"],
                detail=entry["event"],
            )
        )
    for event in commitment.registry_events.select_related("actor").order_by("leaf_index"):
        lines.append(
            EvidenceLine(
                at=event.created_at,
                actor=event.actor.get_username() if event.actor is not None else "system",
                what=f"register: {event.event_type}",
                detail=f"log entry {event.leaf_index}",
            )
        )
    lines.sort(key=lambda line: line.at)
    report = public_report_for_reference(commitment.reference) if commitment.is_signed else None
    signatures: Sequence[dict] = report["signatures"] if report else ()
    return render_evidence_certificate(
        EvidenceCertificate(
            reference=commitment.reference,
            title=commitment.template.title,
            subject_name=commitment.subject.name,
            status=str(PUBLIC_STATUS.get(commitment.status, commitment.status)),
            document_sha256=report["sha256"] if report else "",
            signatures=tuple(
                (
                    s["signer"],
                    s["signer_code"] or "",
                    s["signed_at"] or s["claimed_time"] or "",
                    "valid" if s["valid"] else "INVALID",
                )
                for s in signatures
            ),
            lines=tuple(lines),
            generated_at=timezone.now(),
            verify_url=public_verify_url(commitment.reference),
        )
    )
