"""Associations' API: the caller's associations, bulk issues from a members' CSV file (upload,
progress, each row's outcome), the members' pledges signed or not, and reminders.

An association is visible to its active officers only: to anyone else it is a 404.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from commitments.associations import selectors
from commitments.associations.models import BulkIssueRow
from commitments.associations.pages import row_reasons, signed_filter
from commitments.associations.services.issue import bulk_issue_upload
from commitments.associations.services.reminders import members_remind
from commitments.associations.tasks import bulk_issue_process_task
from commitments.catalogue.models import CommitmentTemplate
from commitments.lifecycle.api.common import SubjectOutputSerializer
from config.api_pagination import PAGE_PARAMETERS, QueryChoiceField, paginated, paginated_response
from directory.errors import error_responses
from notifications.tasks import task_kick_on_commit


class AssociationSerializer(serializers.Serializer):
    code = serializers.SlugField()
    name = serializers.CharField()
    uscc = serializers.CharField()

    class Meta:
        ref_name = "Association"


class BulkIssueSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    template = serializers.CharField(source="template.code")
    template_version = serializers.IntegerField(source="template.version")
    original_name = serializers.CharField()
    encoding = serializers.CharField()
    status = serializers.CharField(help_text="queued, running, done or failed.")
    status_display = serializers.CharField(source="get_status_display")
    total_rows = serializers.IntegerField()
    rows_done = serializers.IntegerField()
    percent = serializers.IntegerField()
    issued = serializers.IntegerField(source="issued_count")
    rejected = serializers.IntegerField(source="rejected_count")
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        ref_name = "BulkIssue"


class RowReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    field = serializers.CharField()
    message = serializers.CharField()

    class Meta:
        ref_name = "BulkIssueRowReason"


class BulkIssueRowSerializer(serializers.Serializer):
    line_number = serializers.IntegerField(help_text="The row as a spreadsheet numbers it.")
    code = serializers.CharField()
    name = serializers.CharField()
    outcome = serializers.ChoiceField(choices=BulkIssueRow.Outcome.choices)
    commitment = serializers.CharField(source="commitment.reference", default=None)
    reasons = serializers.SerializerMethodField()

    class Meta:
        ref_name = "BulkIssueRow"

    @extend_schema_field(RowReasonSerializer(many=True))
    def get_reasons(self, row: BulkIssueRow) -> list[dict]:
        return [
            {**reason, "message": message}
            for reason, message in zip(row.reasons, row_reasons(row), strict=True)
        ]


class MemberPledgeSerializer(serializers.Serializer):
    subject = SubjectOutputSerializer()
    template = serializers.CharField(source="bulk_issue.template.code")
    commitment = serializers.CharField(source="commitment.reference")
    status = serializers.CharField(source="commitment.status")
    signed_at = serializers.DateTimeField(source="commitment.signed_at", allow_null=True)

    class Meta:
        ref_name = "MemberPledge"


def association_of(request, code: str):
    return selectors.association_get(code=code, officer=request.user)


TAGS = ["associations"]


class AssociationListApi(APIView):
    """The associations in which the caller holds an officer's seat."""

    @extend_schema(
        operation_id="associations_list",
        tags=TAGS,
        parameters=PAGE_PARAMETERS,
        responses={200: paginated(AssociationSerializer, "PaginatedAssociationList")},
    )
    def get(self, request):
        return paginated_response(
            request=request,
            view=self,
            queryset=selectors.association_list(officer=request.user),
            serializer_class=AssociationSerializer,
        )


class BulkIssueListApi(APIView):
    """The association's bulk issues, newest first."""

    @extend_schema(
        operation_id="associations_bulk_issues_list",
        tags=TAGS,
        parameters=PAGE_PARAMETERS,
        responses={
            200: paginated(BulkIssueSerializer, "PaginatedBulkIssueList"),
            **error_responses(404),
        },
    )
    def get(self, request, association: str):
        return paginated_response(
            request=request,
            view=self,
            queryset=selectors.bulk_issue_list(association=association_of(request, association)),
            serializer_class=BulkIssueSerializer,
        )


class BulkIssueCreateApi(APIView):
    """Upload a members' CSV file (UTF-8 or GB18030) to issue a self-discipline template to
    each member; processed in the background (poll the bulk issue for progress).

    Columns: 统一社会信用代码 / code, 名称 / name, optional 联系人 / contact, 联系电话 /
    phone, 电子邮箱 / email, and the template's fields. A file that cannot be read whole is
    refused with nothing kept; otherwise each row gets its own outcome.
    """

    parser_classes = [MultiPartParser]

    class InputSerializer(serializers.Serializer):
        template = serializers.CharField(help_text="The self-discipline template's code.")
        file = serializers.FileField()

        class Meta:
            ref_name = "BulkIssueCreateInput"

    @extend_schema(
        operation_id="associations_bulk_issues_create",
        tags=TAGS,
        request={"multipart/form-data": InputSerializer},
        responses={202: BulkIssueSerializer, **error_responses(400, 404)},
    )
    def post(self, request, association: str):
        found = association_of(request, association)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        template = (
            selectors.issuable_templates().filter(code=data.validated_data["template"]).first()
        )
        upload = data.validated_data["file"]
        bulk = bulk_issue_upload(
            by=request.user,
            association=found,
            template=template or CommitmentTemplate(kind=""),
            upload=upload,
            original_name=upload.name,
        )
        task_kick_on_commit(bulk_issue_process_task, bulk_issue_id=bulk.pk)
        return Response(BulkIssueSerializer(bulk).data, status=status.HTTP_202_ACCEPTED)


class BulkIssueDetailApi(APIView):
    """A bulk issue's progress and counts."""

    @extend_schema(
        operation_id="associations_bulk_issues_retrieve",
        tags=TAGS,
        responses={200: BulkIssueSerializer, **error_responses(404)},
    )
    def get(self, request, association: str, pk: int):
        bulk = selectors.bulk_issue_get(association=association_of(request, association), pk=pk)
        return Response(BulkIssueSerializer(bulk).data)


class BulkIssueRowListApi(APIView):
    """Each row's outcome: the draft pledge issued, or the reasons it was not."""

    class FilterSerializer(serializers.Serializer):
        outcome = QueryChoiceField(choices=BulkIssueRow.Outcome.choices, required=False)

    @extend_schema(
        operation_id="associations_bulk_issues_rows",
        tags=TAGS,
        parameters=[FilterSerializer, *PAGE_PARAMETERS],
        responses={
            200: paginated(BulkIssueRowSerializer, "PaginatedBulkIssueRowList"),
            **error_responses(400, 404),
        },
    )
    def get(self, request, association: str, pk: int):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        bulk = selectors.bulk_issue_get(association=association_of(request, association), pk=pk)
        return paginated_response(
            request=request,
            view=self,
            queryset=selectors.bulk_issue_rows(
                bulk_issue=bulk, outcome=filters.validated_data.get("outcome", "")
            ),
            serializer_class=BulkIssueRowSerializer,
        )


class MemberPledgeListApi(APIView):
    """The pledges issued to members, signed or not (``state``)."""

    class FilterSerializer(serializers.Serializer):
        state = QueryChoiceField(
            choices=[("signed", "signed"), ("unsigned", "unsigned")], required=False
        )

    @extend_schema(
        operation_id="associations_member_pledges",
        tags=TAGS,
        parameters=[FilterSerializer, *PAGE_PARAMETERS],
        responses={
            200: paginated(MemberPledgeSerializer, "PaginatedMemberPledgeList"),
            **error_responses(400, 404),
        },
    )
    def get(self, request, association: str):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        found = association_of(request, association)
        return paginated_response(
            request=request,
            view=self,
            queryset=selectors.member_pledges(
                association=found,
                signed=signed_filter(filters.validated_data.get("state", "")),
            ),
            serializer_class=MemberPledgeSerializer,
        )


class MemberRemindApi(APIView):
    """Remind every member that has not signed, at most once a day each."""

    @extend_schema(
        operation_id="associations_member_remind",
        tags=TAGS,
        request=None,
        responses={
            200: inline_serializer(
                "MemberRemindResult",
                {
                    "reminded": serializers.IntegerField(),
                    "already_today": serializers.IntegerField(),
                    "without_representative": serializers.IntegerField(),
                },
            ),
            **error_responses(404),
        },
    )
    def post(self, request, association: str):
        run = members_remind(by=request.user, association=association_of(request, association))
        return Response(
            {
                "reminded": run.reminded,
                "already_today": run.already_today,
                "without_representative": run.without_representative,
            }
        )
