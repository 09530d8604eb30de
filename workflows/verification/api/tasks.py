"""The regulators' tasks over the API: the inbox and the queue, claim, release, verify,
reassign (one or in bulk) and extend the deadline.

Task lookups go through ``task_get``, scoped to the caller's departments, so a
task of another department is simply not found; the services decide everything else.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from commitments.catalogue.models import VerificationMethod
from commitments.lifecycle import selectors as commitment_selectors
from commitments.lifecycle.api.common import CommitmentDetailSerializer, commitment_detail_data
from commitments.lifecycle.models import Verification
from commitments.obligations.api import DeadlineExtensionInputSerializer
from config.api_pagination import PAGE_PARAMETERS, paginated, paginated_response
from directory.errors import error_responses
from workflows.errors import WorkflowError, WorkflowErrorCode
from workflows.verification.selectors.tasks import task_get, task_inbox, task_queue
from workflows.verification.services.deadlines import verification_task_deadline_extend
from workflows.verification.services.reassignment import (
    verification_task_reassign,
    verification_tasks_reassign_bulk,
)
from workflows.verification.services.work import (
    verification_complete,
    verification_task_claim,
    verification_task_release,
)


class TaskOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    status = serializers.CharField()
    created = serializers.DateTimeField()
    owner = serializers.CharField(source="owner.username", allow_null=True)
    commitment = serializers.CharField(source="process.commitment.reference", allow_null=True)
    subject_name = serializers.CharField(source="process.commitment.subject.name", allow_null=True)
    template_title = serializers.CharField(
        source="process.commitment.template.title", allow_null=True
    )
    verification_due_at = serializers.DateTimeField(
        source="process.commitment.verification_due_at", allow_null=True
    )
    verification_due_provisional = serializers.BooleanField(
        source="process.commitment.verification_due_provisional",
        allow_null=True,
        help_text=(
            "True while the deadline runs through a year whose official holiday arrangement "
            "is not announced: the date may move when it is."
        ),
    )

    class Meta:
        ref_name = "Task"


def _commitment_data(request, reference: str) -> dict:
    """The commitment as it stands after the action, as the caller may see it."""
    return commitment_detail_data(
        commitment_selectors.commitment_get(reference=reference, visible_to=request.user)
    )


class _TaskListApi(APIView):
    """A page of tasks read by one of the task selectors for the caller."""

    select: Callable[..., QuerySet]

    def get(self, request):
        return paginated_response(
            request=request,
            view=self,
            queryset=type(self).select(user=request.user),
            serializer_class=TaskOutputSerializer,
        )


def _task_list_schema(operation_id: str):
    return extend_schema_view(
        get=extend_schema(
            operation_id=operation_id,
            tags=["tasks"],
            parameters=PAGE_PARAMETERS,
            responses={200: paginated(TaskOutputSerializer, "PaginatedTaskList")},
        )
    )


@_task_list_schema("tasks_inbox")
class TaskInboxApi(_TaskListApi):
    """Tasks assigned to the caller."""

    select = staticmethod(task_inbox)


@_task_list_schema("tasks_queue")
class TaskQueueApi(_TaskListApi):
    """Unassigned tasks of the caller's departments, waiting to be claimed."""

    select = staticmethod(task_queue)


class TaskClaimApi(APIView):
    """Take a queued task into one's inbox."""

    @extend_schema(
        operation_id="tasks_claim",
        tags=["tasks"],
        request=None,
        responses={200: TaskOutputSerializer, **error_responses(403, 404, 409)},
    )
    def post(self, request, pk: int):
        task = task_get(pk=pk, user=request.user)
        verification_task_claim(task=task, by=request.user)
        return Response(TaskOutputSerializer(task_get(pk=pk, user=request.user)).data)


class TaskReleaseApi(APIView):
    """Put a claimed task back into the department's queue."""

    @extend_schema(
        operation_id="tasks_release",
        tags=["tasks"],
        request=None,
        responses={200: TaskOutputSerializer, **error_responses(403, 404, 409)},
    )
    def post(self, request, pk: int):
        task = task_get(pk=pk, user=request.user)
        verification_task_release(task=task, by=request.user)
        return Response(TaskOutputSerializer(task_get(pk=pk, user=request.user)).data)


class TaskVerifyApi(APIView):
    """Record the finding of a claimed verification task; a breach needs its reason."""

    class InputSerializer(serializers.Serializer):
        method = serializers.ChoiceField(choices=VerificationMethod.choices)
        finding = serializers.ChoiceField(choices=Verification.Finding.choices)
        reason = serializers.CharField(
            required=False, allow_blank=True, default="", max_length=2000
        )

        class Meta:
            ref_name = "TaskVerifyInput"

    @extend_schema(
        operation_id="tasks_verify",
        tags=["tasks"],
        request=InputSerializer,
        responses={200: CommitmentDetailSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request, pk: int):
        task = task_get(pk=pk, user=request.user)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        verification_complete(task=task, by=request.user, **data.validated_data)
        return Response(_commitment_data(request, task.process.commitment.reference))


def _assignee(pk: int):
    user = get_user_model().objects.filter(pk=pk).first()
    if user is None:
        raise WorkflowError(WorkflowErrorCode.INVALID, "No such user.", field="to")
    return user


class TaskReassignApi(APIView):
    """A supervisor gives a task of the department to a colleague."""

    class InputSerializer(serializers.Serializer):
        to = serializers.IntegerField()
        reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)

        class Meta:
            ref_name = "TaskReassignInput"

    @extend_schema(
        operation_id="tasks_reassign",
        tags=["tasks"],
        request=InputSerializer,
        responses={200: TaskOutputSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request, pk: int):
        task = task_get(pk=pk, user=request.user)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        verification_task_reassign(
            task=task,
            to=_assignee(data.validated_data["to"]),
            by=request.user,
            reason=data.validated_data["reason"],
        )
        return Response(TaskOutputSerializer(task_get(pk=pk, user=request.user)).data)


class TaskBulkReassignApi(APIView):
    """Reassign many tasks; the answer says what happened to each."""

    class InputSerializer(serializers.Serializer):
        tasks = serializers.ListField(
            child=serializers.IntegerField(), min_length=1, max_length=200
        )
        to = serializers.IntegerField()
        reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)

        class Meta:
            ref_name = "TaskBulkReassignInput"

    class OutcomeSerializer(serializers.Serializer):
        task = serializers.IntegerField(source="task_id")
        is_done = serializers.BooleanField()
        code = serializers.CharField()
        message = serializers.CharField()

        class Meta:
            ref_name = "TaskBulkReassignOutcome"

    @extend_schema(
        operation_id="tasks_bulk_reassign",
        tags=["tasks"],
        request=InputSerializer,
        responses={200: OutcomeSerializer(many=True), **error_responses(400)},
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        outcomes = verification_tasks_reassign_bulk(
            task_ids=data.validated_data["tasks"],
            to=_assignee(data.validated_data["to"]),
            by=request.user,
            reason=data.validated_data["reason"],
        )
        return Response(self.OutcomeSerializer(outcomes, many=True).data)


class TaskDeadlineExtendApi(APIView):
    """Extend the verification deadline of an open task's commitment, with a reason.

    The new date closes at the end of that day and the flow's escalation timer follows.
    """

    class InputSerializer(DeadlineExtensionInputSerializer):
        class Meta:
            ref_name = "TaskDeadlineExtendInput"

    class OutputSerializer(serializers.Serializer):
        task = serializers.IntegerField()
        commitment = serializers.CharField(source="commitment.reference")
        previous_due = serializers.DateField()
        new_due = serializers.DateField()
        verification_due_at = serializers.DateTimeField(source="commitment.verification_due_at")
        reason = serializers.CharField()
        extended_by = serializers.CharField(source="extended_by.username")
        extended_at = serializers.DateTimeField()

        class Meta:
            ref_name = "VerificationDeadlineExtension"

    @extend_schema(
        operation_id="tasks_extend_deadline",
        tags=["tasks"],
        request=InputSerializer,
        responses={200: OutputSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request, pk: int):
        task = task_get(pk=pk, user=request.user)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        extension = verification_task_deadline_extend(
            task=task, by=request.user, **data.validated_data
        )
        extension.task = task.pk
        return Response(self.OutputSerializer(extension).data)
