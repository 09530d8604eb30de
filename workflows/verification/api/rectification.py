"""Rectification over the API: the department orders it on a task instead of a final finding;
the commitment's representative reads it and submits what was rectified.
"""

from __future__ import annotations

from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from commitments.catalogue.models import VerificationMethod
from commitments.lifecycle import selectors as commitment_selectors
from directory.errors import error_responses
from workflows.errors import WorkflowError, WorkflowErrorCode
from workflows.verification.models import Rectification
from workflows.verification.selectors.tasks import task_get
from workflows.verification.services.rectification import (
    rectification_get,
    rectification_order,
    rectification_submit,
)


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
