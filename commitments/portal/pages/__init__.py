"""The public pages: no login, Chinese and English, usable on a phone.

The portal (mounted at /portal/): commitments made public, red and black lists with entry and
exit dates, subject profiles with a QR code that leads back to them.

Verification for everyone (mounted at the site root): check a signed commitment PDF or a
reference, check a receipt, read the register's checkpoints and proofs; nothing a visitor
sends is stored. Every verification page answers JSON for machines when asked
(``?format=json`` or ``Accept: application/json``). Uploads are limited before they are
read: the declared length is checked first and a streaming upload handler stops at
``SIGNING_UPLOAD_MAX_BYTES``, so a 200 MB body is never read into memory or onto disk.

The verification POSTs are exempt from CSRF on purpose: they change nothing, store nothing
and act for nobody (CSRF protects state-changing requests made with a victim's session).
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django import forms
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import TemplateView
from rest_framework import serializers

from commitments.errors import CommitmentError, ErrorCode
from commitments.lifecycle.forms import read_upload
from commitments.lifecycle.selectors import commitment_get, public_commitments
from commitments.lifecycle.services.register import registry_receipts
from commitments.lifecycle.services.signatures import upload_limit_bytes
from commitments.portal import selectors
from config.api_pagination import QueryIntegerField
from credit.record import selectors as credit_selectors
from credit.record.models.rules import CreditList
from directory.errors import DomainError
from directory.forms import DayField
from signing.errors import ReceiptInvalid
from signing.pades.outcome import VerificationCode, upload_outcome
from signing.register.models import Checkpoint
from signing.register.receipts import checkpoint_json, platform_root_certificate, receipt_verify
from signing.register.selectors import consistency_proof, inclusion_proof, log_size

RECEIPT_MAX_BYTES = 256 * 1024
CHECKPOINT_PAGE = 100
# Tree sizes and indexes past this are refused before they reach the database (bigint).
REGISTER_SIZE_MAX = 10**15
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


def _error_response(
    request: HttpRequest, error: DomainError, template: str, context: dict, status: int = 400
) -> HttpResponse:
    if _wants_json(request):
        payload = error.as_dict()
        payload["reason"] = getattr(error, "reason", None)
        outcome = upload_outcome(payload["reason"])
        if outcome is not None:
            payload["outcome"] = selectors.outcome_json(outcome)
        return JsonResponse(payload, status=status)
    return render(request, template, {**context, "error": error.message}, status=status)


@method_decorator(csrf_exempt, name="dispatch")
class VerifyView(View):
    """``/verify/``: upload a signed PDF or enter a reference; read what it proves."""

    template_name = "commitments/portal/verify.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        """Show the form (or, with ``?reference=``, the report of that commitment)."""
        reference = request.GET.get("reference", "").strip()
        if reference:
            return _reference_response(request, reference)
        return render(request, self.template_name, {})

    def post(self, request: HttpRequest) -> HttpResponse:
        """Validate the uploaded PDF in memory, or look the reference up."""
        try:
            data = read_upload(request, "file", upload_limit_bytes())
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
            report = selectors.public_report_for_pdf(data)
        except CommitmentError as error:
            return _error_response(request, error, self.template_name, {})
        if _wants_json(request):
            return JsonResponse(report)
        return render(request, self.template_name, {"report": report})


def _reference_response(request: HttpRequest, reference: str) -> HttpResponse:
    report = selectors.public_report_for_reference(reference)
    if report is None:
        if _wants_json(request):
            return JsonResponse(
                {
                    "code": "not_found",
                    "message": _("No signed commitment has this reference."),
                    "outcome": selectors.outcome_json(VerificationCode.UNKNOWN_DOCUMENT),
                },
                status=404,
            )
        return render(
            request,
            "commitments/portal/verify.html",
            {"error": _("No signed commitment has this reference."), "reference": reference},
            status=404,
        )
    if _wants_json(request):
        return JsonResponse(report)
    return render(
        request, "commitments/portal/verify.html", {"report": report, "reference": reference}
    )


def verify_reference(request: HttpRequest, reference: str) -> HttpResponse:
    """``/verify/<reference>/``: the page the seal's QR code opens."""
    return _reference_response(request, reference)


def evidence_certificate(request: HttpRequest, reference: str) -> HttpResponse:
    """``/verify/<reference>/certificate.pdf``: for the subject's representatives and regulators."""
    try:
        commitment = commitment_get(reference=reference, visible_to=request.user)
    except CommitmentError:
        raise Http404 from None
    response = HttpResponse(
        selectors.evidence_certificate_pdf(commitment=commitment), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="evidence-{commitment.reference}.pdf"'
    return response


def receipts(request: HttpRequest, reference: str) -> HttpResponse:
    """``/verify/<reference>/receipts.json``: the register receipts, for those who may see it."""
    try:
        commitment = commitment_get(reference=reference, visible_to=request.user)
    except CommitmentError:
        raise Http404 from None
    response = JsonResponse({"receipts": registry_receipts(commitment=commitment)})
    response["Content-Disposition"] = f'attachment; filename="receipts-{commitment.reference}.json"'
    return response


# -- the register ---------------------------------------------------------------------------


class _BeforeSerializer(serializers.Serializer):
    before = QueryIntegerField(min_value=0, max_value=REGISTER_SIZE_MAX, required=False)


# "from" is a Python keyword, so this serializer's fields are given as a mapping.
_ConsistencySerializer = type(
    "_ConsistencySerializer",
    (serializers.Serializer,),
    {
        "from": QueryIntegerField(min_value=1, max_value=REGISTER_SIZE_MAX),
        "to": QueryIntegerField(min_value=1, max_value=REGISTER_SIZE_MAX),
    },
)


class _InclusionSerializer(serializers.Serializer):
    index = QueryIntegerField(min_value=0, max_value=REGISTER_SIZE_MAX)
    tree_size = QueryIntegerField(min_value=1, max_value=REGISTER_SIZE_MAX)


def _refusal(message: str, fields: dict | None = None) -> JsonResponse:
    """The API's error envelope, with a 400."""
    return JsonResponse(
        {"code": str(ErrorCode.INVALID), "message": message, "fields": fields or {}}, status=400
    )


def _query(serializer_class, request: HttpRequest) -> tuple[dict | None, JsonResponse | None]:
    """The validated query parameters, or the refusal that names each wrong one."""
    query = serializer_class(data=request.GET)
    if query.is_valid():
        return query.validated_data, None
    fields = {name: [str(m) for m in messages] for name, messages in query.errors.items()}
    return None, _refusal(_("Some fields need correcting."), fields)


def checkpoints(request: HttpRequest) -> JsonResponse:
    """``/register/checkpoints/``: the latest signed checkpoints, newest first."""
    query, refusal = _query(_BeforeSerializer, request)
    if refusal is not None:
        return refusal
    queryset = Checkpoint.objects.order_by("-tree_size")
    if "before" in query:
        queryset = queryset.filter(tree_size__lt=query["before"])
    rows = list(queryset[:CHECKPOINT_PAGE])
    return JsonResponse(
        {"tree_size": log_size(), "checkpoints": [checkpoint_json(row) for row in rows]}
    )


def consistency(request: HttpRequest) -> JsonResponse:
    """``/register/consistency?from=&to=``: proof that checkpoint ``from`` is a prefix of ``to``."""
    query, refusal = _query(_ConsistencySerializer, request)
    if refusal is not None:
        return refusal
    first, second = query["from"], query["to"]
    try:
        proof = consistency_proof(first=first, second=second)
    except ValueError:
        return _refusal(
            _("The register holds %(size)s entries: give 0 < from ≤ to ≤ %(size)s.")
            % {"size": log_size()}
        )
    return JsonResponse({"from": first, "to": second, "proof": [value.hex() for value in proof]})


def inclusion(request: HttpRequest) -> JsonResponse:
    """``/register/proof?index=&tree_size=``: the inclusion proof of one entry."""
    query, refusal = _query(_InclusionSerializer, request)
    if refusal is not None:
        return refusal
    index, size = query["index"], query["tree_size"]
    try:
        proof = inclusion_proof(index=index, tree_size=size)
    except ValueError:
        return _refusal(
            _("The register holds %(size)s entries: give 0 ≤ index < tree_size ≤ %(size)s.")
            % {"size": log_size()}
        )
    return JsonResponse(
        {"index": index, "tree_size": size, "proof": [value.hex() for value in proof]}
    )


@method_decorator(csrf_exempt, name="dispatch")
class ReceiptVerifyView(View):
    """``/register/verify/``: check a receipt against the platform root, without the database."""

    template_name = "commitments/portal/receipt_verify.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        """Show the form."""
        return render(request, self.template_name, {})

    def post(self, request: HttpRequest) -> HttpResponse:
        """Verify the pasted or uploaded receipt; say which check failed if any."""
        try:
            raw = read_upload(request, "file", RECEIPT_MAX_BYTES)
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


# -- the portal -----------------------------------------------------------------------------

PAGE_SIZE = 20


def qr_svg(url: str) -> str:
    """An inline SVG QR code of ``url`` (no XML prolog, scalable)."""
    svg = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, border=2).to_string()
    return svg.decode() if isinstance(svg, bytes) else svg


class PortalPage(TemplateView):
    def page(self, queryset):
        return Paginator(queryset, PAGE_SIZE).get_page(self.request.GET.get("page"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["q"] = (self.request.GET.get("q") or "").strip()[:100]
        context["verify_url"] = reverse("public:verify")
        return context


class PortalHomeView(PortalPage):
    template_name = "commitments/portal/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["subjects"] = self.page(selectors.public_subject_search(q=context["q"]))
        return context


def id_field(label) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=label, required=False, coerce=int, empty_value=None)


class PublicFilterForm(forms.Form):
    """Filters of a public list: one catalogue choice (``first``), the department and a range
    of days; every field optional, a wrong value is ignored."""

    first: str = ""
    department = id_field(gettext_lazy("Department"))

    def __init__(self, *args, choices: list[tuple[int, str]], departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[self.first].choices = choices
        self.fields["department"].choices = [("", _("Any department"))] + [
            (department.pk, department.name) for department in departments
        ]

    def context(self, request: HttpRequest, **kept_extra) -> dict:
        """The form, how many filters are on, and the query the pager keeps."""
        kept = {key: value for key, value in request.GET.items() if key in self.fields}
        return {
            "filter_form": self,
            "active_filter_count": sum(1 for value in kept.values() if value),
            "extra": urlencode({**kept, **kept_extra}),
        }

    def value(self, name: str):
        """A field's value, None when empty or wrong (the valid fields still filter)."""
        if not self.is_bound:
            return None
        self.is_valid()
        return self.cleaned_data.get(name)


class PublicListFilterForm(PublicFilterForm):
    first = "credit_list"
    field_order = ["credit_list", "department", "entered_from", "entered_to"]
    credit_list = id_field(gettext_lazy("List"))
    entered_from = DayField(label=gettext_lazy("Entered from"), required=False)
    entered_to = DayField(label=gettext_lazy("Entered to"), required=False)


class PortalListView(PortalPage):
    """A red or black list, current or ended, narrowed by list, department and entry days,
    with a count; the pages keep the filters."""

    template_name = "commitments/portal/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        kind = kwargs["kind"]
        if kind not in CreditList.Kind.values:
            raise Http404
        current = self.request.GET.get("show") != "exited"
        choices = selectors.public_list_filter_choices(kind=kind)
        form = PublicListFilterForm(
            self.request.GET or None,
            choices=[("", _("Every list"))] + [(c.pk, c.name) for c in choices["lists"]],
            departments=choices["departments"],
        )
        page = self.page(
            selectors.public_list_entries(
                kind=kind,
                q=context["q"],
                current=current,
                credit_list_id=form.value("credit_list"),
                department_id=form.value("department"),
                entered_from=form.value("entered_from"),
                entered_to=form.value("entered_to"),
            )
        )
        context.update(
            **form.context(self.request, **({} if current else {"show": "exited"})),
            kind=kind,
            kind_label=CreditList.Kind(kind).label,
            current=current,
            page_obj=page,
            rows=[(entry, selectors.masked_name(entry.subject)) for entry in page],
        )
        return context


class PortalSubjectView(PortalPage):
    template_name = "commitments/portal/subject.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        subject = selectors.public_subject(code=kwargs["code"])
        if subject is None:
            raise Http404
        url = self.request.build_absolute_uri(reverse("portal:subject", args=[subject.code]))
        context.update(
            subject=subject,
            record=credit_selectors.credit_record(
                subject_id=subject.pk, audience=credit_selectors.AUDIENCE_PUBLIC
            ),
            commitments=public_commitments(subject=subject),
            profile_url=url,
            qr=mark_safe(qr_svg(url)),  # noqa: S308 - only path data encoding our URL
        )
        return context
