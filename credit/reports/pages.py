"""Pages of special credit reports and repair notices.

- ``/reports/``: the reports of the subjects the user represents, and the request form
  (subject, period); a refusal shows its reason by the field and issues nothing.
- ``/reports/<reference>.pdf``: the sealed PDF, for the subject's representatives.
- ``/reports/verify/`` and ``/reports/verify/<reference>/``: the public check (no login), by
  reference and optionally of a file; the seal's QR code opens the latter.
- ``/reports/notices/<reference>.pdf``: a breach's sealed repair notice, for the subject's
  representatives and the designating department's members (sealed on first reading if the
  background sweep has not sealed it yet; 503 with Retry-After while the time-stamping service
  does not answer).
- ``/reports/notices/verify/<reference>/<code>/``: the public check of a sealed notice (no
  login; its QR code opens it), optionally of a file.

Someone else's report or notice is a 404, as if it did not exist.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import TemplateView

from credit.errors import CreditError, CreditErrorCode
from credit.record.models.notices import RepairNotice
from credit.record.rules import add_months
from credit.reports import selectors, services
from directory import selectors as directory_selectors
from directory.errors import DomainError


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


class ReportsView(LoginRequiredMixin, TemplateView):
    """The user's reports and the form to request one."""

    template_name = "credit/reports/reports.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        subjects = list(selectors.report_subjects(user=self.request.user))
        context.setdefault(
            "values",
            {
                "subject": subjects[0].code if len(subjects) == 1 else "",
                "span_from": add_months(today, -36).isoformat(),
                "span_until": today.isoformat(),
            },
        )
        context.update(
            subjects=subjects,
            reports=list(selectors.report_list(user=self.request.user)[:100]),
            today=today,
            earliest=add_months(today, -60),
        )
        return context

    def post(self, request, *args, **kwargs):
        values = {
            name: request.POST.get(name, "").strip()
            for name in ("subject", "span_from", "span_until")
        }
        try:
            report = services.report_request(
                user=request.user,
                subject_code=values["subject"],
                span_from=values["span_from"],
                span_until=values["span_until"],
            )
        except DomainError as error:
            context = self.get_context_data(error=error, values=values, **kwargs)
            return self.render_to_response(context, status=400)
        messages.success(
            request,
            _("Report %(reference)s was issued and sealed.") % {"reference": report.reference},
        )
        return redirect("reports:list")


class ReportPdfView(LoginRequiredMixin, View):
    def get(self, request, reference: str):
        report = selectors.report_get_own(user=request.user, reference=reference)
        if report is None:
            raise Http404
        return _pdf(services.report_pdf(report), f"{report.reference}.pdf")


def _read_file(request: HttpRequest) -> bytes | None:
    upload = request.FILES.get("file")
    if upload is None:
        return None
    limit = int(getattr(settings, "SIGNING_UPLOAD_MAX_BYTES", 10 * 1024 * 1024))
    if upload.size > limit:
        raise CreditError(
            CreditErrorCode.INVALID,
            _("The file is larger than %(mb)d MB.") % {"mb": limit // (1024 * 1024)},
            field="file",
        )
    return upload.read()


@method_decorator(csrf_exempt, name="dispatch")
class ReportVerifyView(View):
    """The public check: a reference (from the paper or the QR code), optionally a file."""

    template_name = "credit/reports/verify.html"

    def get(self, request: HttpRequest, reference: str = "") -> HttpResponse:
        reference = reference or request.GET.get("reference", "").strip()
        if not reference:
            return render(request, self.template_name, {})
        return self._check(request, reference, None)

    def post(self, request: HttpRequest, reference: str = "") -> HttpResponse:
        reference = reference or request.POST.get("reference", "").strip()
        try:
            if not reference:
                raise CreditError(
                    CreditErrorCode.INVALID,
                    _("Enter the report's reference, printed at its top."),
                    field="reference",
                )
            data = _read_file(request)
        except CreditError as error:
            return render(
                request, self.template_name, {"error": error, "reference": reference}, status=400
            )
        return self._check(request, reference, data)

    def _check(self, request: HttpRequest, reference: str, data: bytes | None) -> HttpResponse:
        try:
            result = services.report_check(reference=reference, pdf=data)
        except CreditError as error:
            status = 404 if error.code == CreditErrorCode.NOT_FOUND else 400
            return render(
                request,
                self.template_name,
                {"error": error, "reference": reference},
                status=status,
            )
        return render(
            request,
            self.template_name,
            {"result": result, "reference": result.report.reference},
        )


class RepairNoticePdfView(LoginRequiredMixin, View):
    """A breach's repair notice: its subject's representatives and the designating
    department's members may read it."""

    def get(self, request, reference: str):
        notice = (
            RepairNotice.objects.filter(reference=reference)
            .select_related("breach__subject", "breach__category", "rule_set")
            .first()
        )
        if notice is None:
            raise Http404
        breach = notice.breach
        represents = (
            directory_selectors.subject_list(represented_by=request.user)
            .filter(pk=breach.subject_id)
            .exists()
        )
        designates = breach.department_id is not None and breach.department_id in (
            directory_selectors.department_ids_of(request.user)
        )
        if not (represents or designates):
            raise Http404
        try:
            data = services.repair_notice_pdf(notice)
        except CreditError as error:
            response = render(
                request,
                "credit/reports/notice_pending.html",
                {"error": error, "notice": notice},
                status=503,
            )
            response["Retry-After"] = "60"
            return response
        return _pdf(data, f"{notice.reference}.pdf")


@method_decorator(csrf_exempt, name="dispatch")
class RepairNoticeVerifyView(View):
    """The public check of a sealed repair notice, at the address its QR code holds; POST a
    ``file`` to check that file too."""

    template_name = "credit/reports/notice_verify.html"

    def get(self, request: HttpRequest, reference: str, code: str) -> HttpResponse:
        return self._check(request, reference, code, None)

    def post(self, request: HttpRequest, reference: str, code: str) -> HttpResponse:
        try:
            data = _read_file(request)
        except CreditError as error:
            return render(request, self.template_name, {"error": error}, status=400)
        return self._check(request, reference, code, data)

    def _check(
        self, request: HttpRequest, reference: str, code: str, data: bytes | None
    ) -> HttpResponse:
        try:
            result = services.repair_notice_check(reference=reference, check_code=code, pdf=data)
        except CreditError as error:
            status = 404 if error.code == CreditErrorCode.NOT_FOUND else 400
            return render(request, self.template_name, {"error": error}, status=status)
        return render(request, self.template_name, {"result": result})
