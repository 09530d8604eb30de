"""Verification for everyone: check a signed commitment PDF or a reference, check a receipt,
read the register's checkpoints and proofs. No login; nothing a visitor sends is stored.

Every page answers JSON for machines when asked (``?format=json`` or ``Accept:
application/json``). Uploads are limited before they are read: the declared length is
checked first and a streaming upload handler stops at ``SIGNING_UPLOAD_MAX_BYTES``, so a
200 MB body is never read into memory or onto disk.

The verification POSTs are exempt from CSRF on purpose: they change nothing, store nothing
and act for nobody (CSRF protects state-changing requests made with a victim's session).
"""

from __future__ import annotations

import json

from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from commitments.errors import CommitmentError, ErrorCode
from commitments.lifecycle import selectors
from commitments.lifecycle.services import signatures as evidence
from signing.errors import ReceiptInvalid
from signing.register.models import Checkpoint
from signing.register.receipts import checkpoint_json, platform_root_certificate, receipt_verify
from signing.register.selectors import consistency_proof, inclusion_proof, log_size

RECEIPT_MAX_BYTES = 256 * 1024
CHECKPOINT_PAGE = 100
REASON_MESSAGES = {
    "malformed": gettext_lazy("This is not a register receipt, or it is damaged."),
    "leaf_mismatch": gettext_lazy(
        "The event in the receipt has been changed: it does not match the log."
    ),
    "proof": gettext_lazy("The proof in the receipt does not lead to the signed checkpoint."),
    "bad_signature": gettext_lazy(
        "The checkpoint's signature is forged or the checkpoint was changed."
    ),
    "untrusted_certificate": gettext_lazy("The checkpoint was not signed by this platform's key."),
}


def _wants_json(request: HttpRequest) -> bool:
    return request.GET.get("format") == "json" or "application/json" in request.headers.get(
        "Accept", ""
    )


class _LimitedUploadHandler(FileUploadHandler):
    """Count uploaded bytes as they stream in; stop the upload past the limit."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.exceeded = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        """Pass the chunk on, or stop the whole upload once past the limit."""
        self.received += len(raw_data)
        if self.received > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        """Leave the file to the next handler."""
        return None


def _read_upload(request: HttpRequest, field: str, limit: int) -> bytes | None:
    """Return the uploaded file's bytes, or raise a CommitmentError for too large a file."""
    declared = int(request.META.get("CONTENT_LENGTH") or 0)
    if declared > limit + 64 * 1024:  # room for the multipart envelope and other fields
        raise evidence._refused("too_large")
    limiter = _LimitedUploadHandler(request, limit)
    request.upload_handlers.insert(0, limiter)
    upload = request.FILES.get(field)
    if limiter.exceeded:
        raise evidence._refused("too_large")
    if upload is None:
        return None
    if upload.size > limit:
        raise evidence._refused("too_large")
    return upload.read()


def _error_response(
    request: HttpRequest, error: CommitmentError, template: str, context: dict, status: int = 400
) -> HttpResponse:
    if _wants_json(request):
        payload = error.as_dict()
        payload["reason"] = getattr(error, "reason", None)
        return JsonResponse(payload, status=status)
    return render(request, template, {**context, "error": error.message}, status=status)


@method_decorator(csrf_exempt, name="dispatch")
class VerifyView(View):
    """``/verify/``: upload a signed PDF or enter a reference; read what it proves."""

    template_name = "public/verify.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        """Show the form (or, with ``?reference=``, the report of that commitment)."""
        reference = request.GET.get("reference", "").strip()
        if reference:
            return _reference_response(request, reference)
        return render(request, self.template_name, {})

    def post(self, request: HttpRequest) -> HttpResponse:
        """Validate the uploaded PDF in memory, or look the reference up."""
        try:
            data = _read_upload(request, "file", evidence.upload_limit_bytes())
        except CommitmentError as error:
            return _error_response(request, error, self.template_name, {}, status=413)
        if data is None:
            reference = request.POST.get("reference", "").strip()
            if reference:
                return _reference_response(request, reference)
            error = CommitmentError(
                ErrorCode.INVALID,
                _("Choose a signed PDF or enter a commitment reference."),
                field="file",
            )
            return _error_response(request, error, self.template_name, {})
        try:
            report = evidence.public_report_for_pdf(data)
        except CommitmentError as error:
            return _error_response(request, error, self.template_name, {})
        if _wants_json(request):
            return JsonResponse(report)
        return render(request, self.template_name, {"report": report})


def _reference_response(request: HttpRequest, reference: str) -> HttpResponse:
    report = evidence.public_report_for_reference(reference)
    if report is None:
        if _wants_json(request):
            return JsonResponse(
                {"code": "not_found", "message": _("No signed commitment has this reference.")},
                status=404,
            )
        return render(
            request,
            "public/verify.html",
            {"error": _("No signed commitment has this reference."), "reference": reference},
            status=404,
        )
    if _wants_json(request):
        return JsonResponse(report)
    return render(request, "public/verify.html", {"report": report, "reference": reference})


def verify_reference(request: HttpRequest, reference: str) -> HttpResponse:
    """``/verify/<reference>/``: the page the seal's QR code opens."""
    return _reference_response(request, reference)


def evidence_certificate(request: HttpRequest, reference: str) -> HttpResponse:
    """``/verify/<reference>/certificate.pdf``: for the subject's representatives and regulators."""
    try:
        commitment = selectors.commitment_get(reference=reference, visible_to=request.user)
    except CommitmentError:
        raise Http404 from None
    response = HttpResponse(
        evidence.evidence_certificate_pdf(commitment=commitment), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="evidence-{commitment.reference}.pdf"'
    return response


def receipts(request: HttpRequest, reference: str) -> HttpResponse:
    """``/verify/<reference>/receipts.json``: the register receipts, for those who may see it."""
    try:
        commitment = selectors.commitment_get(reference=reference, visible_to=request.user)
    except CommitmentError:
        raise Http404 from None
    response = JsonResponse({"receipts": evidence.registry_receipts(commitment=commitment)})
    response["Content-Disposition"] = f'attachment; filename="receipts-{commitment.reference}.json"'
    return response


# -- the register ---------------------------------------------------------------------------


def checkpoints(request: HttpRequest) -> JsonResponse:
    """``/register/checkpoints/``: the latest signed checkpoints, newest first."""
    queryset = Checkpoint.objects.order_by("-tree_size")
    before = request.GET.get("before")
    if before and before.isdigit():
        queryset = queryset.filter(tree_size__lt=int(before))
    rows = list(queryset[:CHECKPOINT_PAGE])
    return JsonResponse(
        {"tree_size": log_size(), "checkpoints": [checkpoint_json(row) for row in rows]}
    )


def _size_parameter(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


def consistency(request: HttpRequest) -> JsonResponse:
    """``/register/consistency?from=&to=``: proof that checkpoint ``from`` is a prefix of ``to``."""
    first, second = _size_parameter(request, "from"), _size_parameter(request, "to")
    if first is None or second is None:
        return JsonResponse(
            {"code": "invalid", "message": _("Give two tree sizes: from and to.")}, status=400
        )
    try:
        proof = consistency_proof(first=first, second=second)
    except ValueError as error:
        return JsonResponse({"code": "invalid", "message": str(error)}, status=400)
    return JsonResponse({"from": first, "to": second, "proof": [value.hex() for value in proof]})


def inclusion(request: HttpRequest) -> JsonResponse:
    """``/register/proof?index=&tree_size=``: the inclusion proof of one entry."""
    index, size = _size_parameter(request, "index"), _size_parameter(request, "tree_size")
    if index is None or size is None:
        return JsonResponse(
            {"code": "invalid", "message": _("Give an entry index and a tree size.")}, status=400
        )
    try:
        proof = inclusion_proof(index=index, tree_size=size)
    except ValueError as error:
        return JsonResponse({"code": "invalid", "message": str(error)}, status=400)
    return JsonResponse(
        {"index": index, "tree_size": size, "proof": [value.hex() for value in proof]}
    )


@method_decorator(csrf_exempt, name="dispatch")
class ReceiptVerifyView(View):
    """``/register/verify/``: check a receipt against the platform root, without the database."""

    template_name = "public/receipt_verify.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        """Show the form."""
        return render(request, self.template_name, {})

    def post(self, request: HttpRequest) -> HttpResponse:
        """Verify the pasted or uploaded receipt; say which check failed if any."""
        try:
            raw = _read_upload(request, "file", RECEIPT_MAX_BYTES)
        except CommitmentError as error:
            return _error_response(request, error, self.template_name, {}, status=413)
        if raw is None:
            raw = (
                request.body
                if request.content_type == "application/json"
                else request.POST.get("receipt", "").encode("utf-8")
            )
        try:
            receipt = json.loads(raw or b"null")
            verified = receipt_verify(receipt, root_certificate=platform_root_certificate())
        except (ValueError, UnicodeDecodeError):
            return self._refused(request, "malformed")
        except ReceiptInvalid as invalid:
            return self._refused(request, invalid.reason)
        result = {
            "valid": True,
            "leaf_index": verified.leaf_index,
            "tree_size": verified.tree_size,
            "event": verified.event,
            "checkpoint_time": verified.checkpoint_time.isoformat(),
        }
        if _wants_json(request) or request.content_type == "application/json":
            return JsonResponse(result)
        return render(request, self.template_name, {"result": result})

    def _refused(self, request: HttpRequest, reason: str) -> HttpResponse:
        message = str(REASON_MESSAGES.get(reason, REASON_MESSAGES["malformed"]))
        if _wants_json(request) or request.content_type == "application/json":
            return JsonResponse(
                {"valid": False, "code": "receipt_invalid", "reason": reason, "message": message},
                status=400,
            )
        return render(request, self.template_name, {"error": message, "reason": reason}, status=400)
