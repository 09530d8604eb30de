"""The REST API of the verification workflow: sign (which starts it) and the regulators' tasks.

Task lookups go through ``task_get``, scoped to the caller's departments, so a
task of another department is simply not found; the services decide everything else.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from access.api import api_signing_proof, signing_password_field
from access.ceremony import signing_purpose
from commitments.catalogue.models import VerificationMethod
from commitments.lifecycle import selectors as commitment_selectors
from commitments.lifecycle.api.common import CommitmentDetailSerializer, commitment_detail_data
from commitments.lifecycle.models import Verification
from commitments.obligations.api import DeadlineExtensionInputSerializer
from config.api_pagination import PAGE_PARAMETERS, paginated, paginated_response
from directory.errors import error_responses
from workflows.errors import WorkflowError, WorkflowErrorCode
from workflows.verification.models import Rectification
from workflows.verification.selectors.tasks import task_get, task_inbox, task_queue
from workflows.verification.services.batch import (
    REFUSED,
    SIGNED,
    WAITING,
    batch_references_clean,
    commitment_batch_submit,
)
from workflows.verification.services.deadlines import verification_task_deadline_extend
from workflows.verification.services.reassignment import (
    verification_task_reassign,
    verification_tasks_reassign_bulk,
)
from workflows.verification.services.rectification import (
    rectification_get,
    rectification_order,
    rectification_submit,
)
from workflows.verification.services.submission import commitment_submit
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


class CommitmentSignInputSerializer(serializers.Serializer):
    password = signing_password_field()


class CommitmentSignApi(APIView):
    """Sign a draft and hand it to the competent department for verification.

    Signing binds the subject, so the request proves its signer for this one signature
    (``access.api``): the signer's password, with a token or a session alike (refused in the
    envelope on ``password``; a wrong one counts towards the lockout).
    """

    @extend_schema(
        operation_id="commitments_sign",
        tags=["commitments"],
        request=CommitmentSignInputSerializer,
        responses={200: CommitmentDetailSerializer, **error_responses(400, 403, 404, 409, 429)},
    )
    def post(self, request, reference: str):
        commitment = commitment_selectors.commitment_get(
            reference=reference, visible_to=request.user
        )
        data = CommitmentSignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        api_signing_proof(
            request,
            password=data.validated_data.get("password", ""),
            purpose=signing_purpose("commitment", commitment.reference),
        )
        commitment_submit(commitment=commitment, by=request.user)
        return Response(_commitment_data(request, commitment.reference))


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


class RectificationSerializer(serializers.Serializer):
    """A rectification order and what followed it."""

    reference = serializers.CharField(source="commitment.reference")
    status = serializers.ChoiceField(choices=Rectification.Status.choices)
    department = serializers.CharField(source="department.code")
    method = serializers.CharField()
    gaps = serializers.CharField()
    finding_evidence = serializers.CharField()
    due_at = serializers.DateTimeField()
    ordered_by = serializers.CharField(source="ordered_by.username")
    ordered_at = serializers.DateTimeField()
    submission = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    evidence = serializers.ListField(
        child=serializers.DictField(), source="evidence_rows", help_text="stage, name, sha256"
    )

    class Meta:
        ref_name = "Rectification"


def _rectification_data(rectification: Rectification) -> dict:
    rectification.evidence_rows = [
        {"stage": item.stage, "name": item.original_name, "sha256": item.sha256}
        for item in rectification.evidence.all()
    ]
    return RectificationSerializer(rectification).data


class TaskRectifyApi(APIView):
    """Order rectification instead of a final finding: what must be fixed and the deadline
    (working days on the official calendar, or a date after today; one of them)."""

    class InputSerializer(serializers.Serializer):
        method = serializers.ChoiceField(choices=VerificationMethod.choices)
        gaps = serializers.CharField(max_length=4000)
        finding_evidence = serializers.CharField(
            required=False, allow_blank=True, default="", max_length=4000
        )
        working_days = serializers.IntegerField(required=False, allow_null=True, default=None)
        due_date = serializers.DateField(required=False, allow_null=True, default=None)

        class Meta:
            ref_name = "TaskRectifyInput"

    @extend_schema(
        operation_id="tasks_rectify",
        tags=["tasks"],
        request=InputSerializer,
        responses={201: RectificationSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request, pk: int):
        task = task_get(pk=pk, user=request.user)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rectification = rectification_order(task=task, by=request.user, **data.validated_data)
        return Response(_rectification_data(rectification), status=201)


class CommitmentRectificationApi(APIView):
    """The rectification of a commitment: read it (its representatives and the department);
    its representative submits what was rectified once, before the deadline (multipart:
    ``submission`` and any ``evidence`` files, PDF, PNG or JPEG)."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]

    class InputSerializer(serializers.Serializer):
        submission = serializers.CharField(max_length=4000)
        evidence = serializers.ListField(
            child=serializers.FileField(), required=False, default=list, max_length=10
        )

        class Meta:
            ref_name = "RectificationSubmitInput"

    @extend_schema(
        operation_id="commitments_rectification_read",
        tags=["commitments"],
        responses={200: RectificationSerializer, **error_responses(404)},
    )
    def get(self, request, reference: str):
        commitment = commitment_selectors.commitment_get(
            reference=reference, visible_to=request.user
        )
        rectification = Rectification.objects.filter(commitment=commitment).first()
        if rectification is None:
            raise WorkflowError(
                WorkflowErrorCode.NOT_FOUND, gettext("No rectification was ordered here.")
            )
        return Response(_rectification_data(rectification))

    @extend_schema(
        operation_id="commitments_rectification_submit",
        tags=["commitments"],
        request={"multipart/form-data": InputSerializer, "application/json": InputSerializer},
        responses={200: RectificationSerializer, **error_responses(400, 404, 409)},
    )
    def post(self, request, reference: str):
        rectification_get(reference=reference, by=request.user)  # others: not found, first
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rectification = rectification_submit(
            reference=reference,
            by=request.user,
            text=data.validated_data["submission"],
            files=data.validated_data["evidence"],
        )
        return Response(_rectification_data(rectification))


# Batch signing (issue 15): ``POST commitments/batch/sign/``. The request carries the signer's
# password once for the batch (``access.api``); each draft is then signed on its own
# (``commitment_batch_submit``). 200 with one result per reference (signed, waiting, or refused
# with its code and reason) whenever the batch was accepted: a refused draft is left unchanged
# and does not make the others fail. A batch refused as a whole (no references, too many, no
# or a wrong password) answers in the error envelope and nothing is signed.


class BatchSignInputSerializer(serializers.Serializer):
    references = serializers.ListField(
        child=serializers.CharField(max_length=40),
        allow_empty=False,
        max_length=200,
        help_text="The drafts' references (duplicates are signed once; at most SIGNING_BATCH_MAX).",
    )
    password = signing_password_field()

    class Meta:
        ref_name = "CommitmentBatchSignInput"


class BatchSignResultSerializer(serializers.Serializer):
    reference = serializers.CharField()
    outcome = serializers.ChoiceField(choices=[SIGNED, WAITING, REFUSED])
    code = serializers.CharField(help_text="Why it was refused (the error code), else empty.")
    reason = serializers.CharField(help_text="The reason in the caller's language, else empty.")
    status = serializers.CharField(allow_null=True, help_text="The commitment's status now.")

    class Meta:
        ref_name = "CommitmentBatchSignResult"


class BatchSignOutputSerializer(serializers.Serializer):
    signed = serializers.IntegerField()
    waiting = serializers.IntegerField()
    refused = serializers.IntegerField()
    results = BatchSignResultSerializer(many=True)

    class Meta:
        ref_name = "CommitmentBatchSignOutput"


class CommitmentBatchSignApi(APIView):
    """Sign several drafts of represented subjects, each on its own, with one password."""

    @extend_schema(
        operation_id="commitments_batch_sign",
        tags=["commitments"],
        request=BatchSignInputSerializer,
        responses={200: BatchSignOutputSerializer, **error_responses(400, 429)},
        description=(
            "Each draft becomes its own signed PDF, register entry and verification; a refused "
            "draft is unchanged and does not stop the others. At most SIGNING_BATCH_MAX drafts."
        ),
    )
    def post(self, request):
        data = BatchSignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        references = batch_references_clean(data.validated_data["references"])
        api_signing_proof(
            request,
            password=data.validated_data.get("password", ""),
            purpose=signing_purpose("batch", *references),
        )
        results = commitment_batch_submit(references=references, by=request.user)
        body = {
            "signed": sum(1 for item in results if item.outcome == SIGNED),
            "waiting": sum(1 for item in results if item.outcome == WAITING),
            "refused": sum(1 for item in results if item.outcome == REFUSED),
            "results": [
                {
                    "reference": item.reference,
                    "outcome": item.outcome,
                    "code": item.code,
                    "reason": item.reason,
                    "status": item.commitment.status if item.commitment else None,
                }
                for item in results
            ],
        }
        return Response(BatchSignOutputSerializer(body).data)
