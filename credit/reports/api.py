"""REST API of special credit reports (version 1).

- ``GET /api/v1/credit/reports/``: the reports of the subjects the caller represents.
- ``POST /api/v1/credit/reports/``: request one (``subject``, ``span_from``, ``span_until``);
  refused with the error envelope, nothing issued, for a span over five years, in the future
  or reversed (400) and a subject the caller does not represent (404).
- ``GET /api/v1/credit/reports/<reference>/verify/``: the public check (no authentication);
  ``POST`` with a ``file`` checks that file against the reference.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api_pagination import PAGE_PARAMETERS, paginated, paginated_response
from credit.errors import CreditError, CreditErrorCode
from credit.reports import selectors, services
from directory.errors import error_responses


class ReportSerializer(serializers.Serializer):
    reference = serializers.CharField()
    subject = serializers.CharField(source="subject.code")
    subject_name = serializers.CharField(source="subject.name")
    span_from = serializers.DateField()
    span_until = serializers.DateField()
    issued_at = serializers.DateTimeField()
    entry_count = serializers.IntegerField()
    sha256 = serializers.CharField(source="document.sha256")
    pdf = serializers.SerializerMethodField(help_text="Where the sealed PDF is (logged in).")
    verify_url = serializers.SerializerMethodField(help_text="The public check (QR code).")

    class Meta:
        ref_name = "CreditReport"

    def get_pdf(self, report) -> str:
        return reverse("reports:pdf", args=[report.reference])

    def get_verify_url(self, report) -> str:
        return services.report_verify_url(report.reference)


class ReportCheckSerializer(serializers.Serializer):
    reference = serializers.CharField(source="report.reference")
    subject_name = serializers.CharField(source="report.subject.name")
    span_from = serializers.DateField(source="report.span_from")
    span_until = serializers.DateField(source="report.span_until")
    issued_at = serializers.DateTimeField(source="report.issued_at")
    is_genuine = serializers.BooleanField()
    code = serializers.CharField(help_text="`valid`, `changed_after_seal`, `malformed_pdf`, ...")
    reason = serializers.CharField()
    record_changed = serializers.BooleanField(
        help_text="Whether the record the report listed has changed since it was issued."
    )
    file_checked = serializers.BooleanField()

    class Meta:
        ref_name = "CreditReportCheck"


def _typed(data, name: str) -> str:
    """A request field as typed, as text (whatever JSON type it came as); nothing when the
    body is not an object at all (a list, a number)."""
    if not isinstance(data, Mapping):
        return ""
    value = data.get(name, "")
    return value if isinstance(value, str) else str(value)


class ReportListApi(APIView):
    """The caller's reports, or (POST) request a new one."""

    class InputSerializer(serializers.Serializer):
        subject = serializers.CharField(max_length=32)
        span_from = serializers.DateField()
        span_until = serializers.DateField()

        class Meta:
            ref_name = "CreditReportRequest"

    @extend_schema(
        operation_id="credit_reports_list",
        tags=["credit reports"],
        parameters=PAGE_PARAMETERS,
        responses={200: paginated(ReportSerializer, "PaginatedCreditReportList")},
    )
    def get(self, request):
        return paginated_response(
            request=request,
            view=self,
            queryset=selectors.report_list(user=request.user),
            serializer_class=ReportSerializer,
        )

    @extend_schema(
        operation_id="credit_reports_request",
        tags=["credit reports"],
        request=InputSerializer,
        responses={201: ReportSerializer, **error_responses(400, 404, 409)},
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        if not data.is_valid():
            field, reasons = next(iter(data.errors.items()))
            services.report_refusal_log(
                user=request.user,
                subject_code=_typed(request.data, "subject"),
                span_from=_typed(request.data, "span_from"),
                span_until=_typed(request.data, "span_until"),
                error=CreditError(CreditErrorCode.INVALID, str(reasons[0]), field=field),
            )
            raise ValidationError(data.errors)
        values = data.validated_data
        report = services.report_request(
            user=request.user,
            subject_code=values["subject"],
            span_from=values["span_from"],
            span_until=values["span_until"],
        )
        return Response(ReportSerializer(report).data, status=status.HTTP_201_CREATED)


class ReportVerifyApi(APIView):
    """The public check of a report by reference; POST a ``file`` to check that file too."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes = [MultiPartParser, FormParser]

    class FileSerializer(serializers.Serializer):
        file = serializers.FileField()

        class Meta:
            ref_name = "CreditReportFile"

    @extend_schema(
        operation_id="credit_report_verify",
        tags=["credit reports"],
        responses={200: ReportCheckSerializer, **error_responses(404)},
    )
    def get(self, request, reference: str):
        result = services.report_check(reference=reference)
        return Response(ReportCheckSerializer(result).data)

    @extend_schema(
        operation_id="credit_report_verify_file",
        tags=["credit reports"],
        request={"multipart/form-data": FileSerializer},
        responses={200: ReportCheckSerializer, **error_responses(400, 404)},
    )
    def post(self, request, reference: str):
        data = self.FileSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.report_check(reference=reference, pdf=data.validated_data["file"].read())
        return Response(ReportCheckSerializer(result).data)
