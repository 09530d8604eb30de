"""Obligations after signing: the applicant's deadlines and performance reports, the officers'
due and overdue lists and deadline extensions.

Every lookup goes through ``commitments.obligations.selectors``, scoped to the caller: an
applicant sees its own subjects' obligations, an officer its departments'; anything else is
not found. The rules (who may extend, what a report needs, when it is too late) are the
services'.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from commitments.obligations import selectors
from commitments.obligations.models import Obligation
from commitments.obligations.services.extensions import (
    MAX_EXTENSION_WORKING_DAYS,
    obligation_extend_deadline,
)
from commitments.obligations.services.reports import (
    obligation_accept_performance,
    obligation_reject_performance,
    obligation_report_performance,
)
from config.api_pagination import (
    PAGE_PARAMETERS,
    QueryChoiceField,
    QueryIntegerField,
    paginated,
    paginated_response,
)
from directory.errors import error_responses
from directory.selectors import is_regulator


class ObligationSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    commitment = serializers.CharField(source="commitment.reference")
    template_title = serializers.CharField(source="commitment.template.title")
    subject_name = serializers.CharField(source="commitment.subject.name")
    department = serializers.CharField(source="commitment.department.code", allow_null=True)
    title = serializers.CharField()
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    due_date = serializers.DateField()
    due_explanation = serializers.CharField(help_text="How the due date was computed, in words.")
    due_basis = serializers.JSONField(
        help_text="How the due date was computed: start, count, unit, days skipped, extensions."
    )
    due_provisional = serializers.BooleanField(
        help_text=(
            "True while the deadline runs through a year whose official holiday arrangement "
            "is not announced: the date may move when it is."
        )
    )
    due_under_review = serializers.DateField(
        allow_null=True,
        help_text=(
            "Set once the year is announced if the count ends on another day there: the "
            "stated date stands until an officer moves it."
        ),
    )
    extension_count = serializers.IntegerField()
    has_open_report = serializers.BooleanField(help_text="A report awaits the department's review.")

    class Meta:
        ref_name = "ObligationSummary"


class EvidenceSerializer(serializers.Serializer):
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()

    class Meta:
        ref_name = "PerformanceEvidence"


class PerformanceReportSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    status = serializers.CharField()
    text = serializers.CharField()
    submitted_by = serializers.CharField(source="submitted_by.username")
    submitted_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_note = serializers.CharField()
    evidence = EvidenceSerializer(many=True, source="evidence.all")

    class Meta:
        ref_name = "PerformanceReport"


class ExtensionSerializer(serializers.Serializer):
    previous_due = serializers.DateField()
    new_due = serializers.DateField()
    reason = serializers.CharField()
    extended_by = serializers.CharField(source="extended_by.username")
    extended_at = serializers.DateTimeField()

    class Meta:
        ref_name = "ObligationDeadlineExtension"


class ScheduledWarningSerializer(serializers.Serializer):
    kind = serializers.CharField()
    step = serializers.CharField(allow_null=True, help_text="The ladder step; null for the breach.")
    due_at = serializers.DateTimeField()
    status = serializers.CharField()

    class Meta:
        ref_name = "ScheduledWarning"


class ObligationDetailSerializer(ObligationSerializer):
    extensions = ExtensionSerializer(many=True, source="extensions.all")
    reports = PerformanceReportSerializer(many=True, source="performance_reports.all")
    warnings = ScheduledWarningSerializer(many=True, source="warning_schedule.all")

    class Meta:
        ref_name = "ObligationDetail"


def _detail(request, pk: int) -> dict:
    """The obligation as it stands, as the caller may see it."""
    return ObligationDetailSerializer(selectors.obligation_get(pk=pk, visible_to=request.user)).data


class ObligationListApi(APIView):
    """Every obligation of every subject the caller represents, the nearest deadline first."""

    class FilterSerializer(serializers.Serializer):
        status = QueryChoiceField(choices=Obligation.Status.choices, required=False)

    @extend_schema(
        operation_id="obligations_list",
        tags=["obligations"],
        parameters=[FilterSerializer, *PAGE_PARAMETERS],
        responses={
            200: paginated(ObligationSerializer, "PaginatedObligationList"),
            **error_responses(400),
        },
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        obligations = selectors.obligation_list_own(represented_by=request.user)
        if "status" in filters.validated_data:
            obligations = obligations.filter(status=filters.validated_data["status"])
        return paginated_response(
            request=request,
            view=self,
            queryset=obligations.order_by("due_date", "pk"),
            serializer_class=ObligationSerializer,
        )


class ObligationDepartmentListApi(APIView):
    """Officers: pending obligations of their departments, overdue or due within some days."""

    class FilterSerializer(serializers.Serializer):
        due = QueryChoiceField(
            choices=[("overdue", "overdue"), ("soon", "soon")],
            required=False,
            help_text="`overdue`: due before today; `soon`: due within `days` days (or overdue).",
        )
        days = QueryIntegerField(min_value=0, max_value=366, default=7)

    @extend_schema(
        operation_id="obligations_department_list",
        tags=["obligations"],
        parameters=[FilterSerializer, *PAGE_PARAMETERS],
        responses={
            200: paginated(ObligationSerializer, "PaginatedObligationList"),
            **error_responses(400, 403),
        },
    )
    def get(self, request):
        if not is_regulator(request.user):
            raise PermissionDenied(_("This list is for department staff."))
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        today = timezone.localdate()
        due = filters.validated_data.get("due")
        obligations = selectors.obligation_list_department(
            officer=request.user,
            overdue_on=today if due == "overdue" else None,
            due_by=(
                today + datetime.timedelta(days=filters.validated_data["days"])
                if due == "soon"
                else None
            ),
        )
        return paginated_response(
            request=request, view=self, queryset=obligations, serializer_class=ObligationSerializer
        )


class ObligationDetailApi(APIView):
    """One obligation: its deadline and how it was set, extensions, reports, planned warnings."""

    @extend_schema(
        operation_id="obligations_detail",
        tags=["obligations"],
        responses={200: ObligationDetailSerializer, **error_responses(404)},
    )
    def get(self, request, pk: int):
        return Response(_detail(request, pk))


class ObligationReportApi(APIView):
    """The applicant reports that the obligation was performed, with evidence files.

    Send ``multipart/form-data``: ``text`` and any number of ``files`` (PDF, PNG or JPEG).
    """

    parser_classes = [MultiPartParser, FormParser]

    class InputSerializer(serializers.Serializer):
        text = serializers.CharField(max_length=5000, help_text="What was done.")
        files = serializers.ListField(
            child=serializers.FileField(allow_empty_file=True),
            required=False,
            default=list,
            help_text="Evidence: PDF, PNG or JPEG files.",
        )

        class Meta:
            ref_name = "PerformanceReportInput"

    @extend_schema(
        operation_id="obligations_report",
        tags=["obligations"],
        request={"multipart/form-data": InputSerializer},
        responses={201: PerformanceReportSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request, pk: int):
        obligation = selectors.obligation_get(pk=pk, visible_to=request.user)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = obligation_report_performance(
            obligation=obligation,
            by=request.user,
            text=data.validated_data["text"],
            files=data.validated_data["files"],
        )
        return Response(PerformanceReportSerializer(report).data, status=status.HTTP_201_CREATED)


class DeadlineExtensionInputSerializer(serializers.Serializer):
    """A deadline extension: a new date or working days more (the service wants exactly
    one), and the reason. Shared by obligations and verification tasks."""

    new_due_date = serializers.DateField(
        required=False, help_text="The new due date; or give working_days instead."
    )
    working_days = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_EXTENSION_WORKING_DAYS,
        help_text="Working days added to the current due date on the official calendar.",
    )
    reason = serializers.CharField(max_length=2000)


class ObligationExtendApi(APIView):
    """An officer of the supervising department extends the deadline, with a reason.

    Warnings not yet sent (and the breach) move with the new date; sent ones stay sent.
    """

    class InputSerializer(DeadlineExtensionInputSerializer):
        class Meta:
            ref_name = "ObligationExtendInput"

    @extend_schema(
        operation_id="obligations_extend",
        tags=["obligations"],
        request=InputSerializer,
        responses={200: ObligationDetailSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request, pk: int):
        obligation = selectors.obligation_get(pk=pk, visible_to=request.user)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        obligation_extend_deadline(obligation=obligation, by=request.user, **data.validated_data)
        return Response(_detail(request, pk))


class _ReportDecisionApi(APIView):
    """An officer of the supervising department decides a performance report (for an
    accept-now-supply-later item: the supplied item). Only the competent department may:
    anyone else who can see the report is refused (403), others do not find it (404)."""

    accept = True

    class InputSerializer(serializers.Serializer):
        note = serializers.CharField(
            max_length=2000,
            required=False,
            allow_blank=True,
            default="",
            help_text="The officer's note; required to reject (the reason).",
        )

        class Meta:
            ref_name = "PerformanceDecisionInput"

    def post(self, request, pk: int):
        report = selectors.report_get(pk=pk, visible_to=request.user)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        note = data.validated_data["note"]
        if self.accept:
            obligation_accept_performance(report=report, by=request.user, note=note)
        else:
            obligation_reject_performance(report=report, by=request.user, note=note)
        return Response(_detail(request, report.obligation_id))


class PerformanceAcceptApi(_ReportDecisionApi):
    """Accept a report (a supplied item): the obligation is fulfilled and its warnings stop."""

    @extend_schema(
        operation_id="obligations_report_accept",
        tags=["obligations"],
        request=_ReportDecisionApi.InputSerializer,
        responses={200: ObligationDetailSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request, pk: int):
        return super().post(request, pk)


class PerformanceRejectApi(_ReportDecisionApi):
    """Reject a report with the reason (``note``): the item is still owed by its deadline and
    grace period; a breach held for the review falls due again."""

    accept = False

    @extend_schema(
        operation_id="obligations_report_reject",
        tags=["obligations"],
        request=_ReportDecisionApi.InputSerializer,
        responses={200: ObligationDetailSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request, pk: int):
        return super().post(request, pk)
