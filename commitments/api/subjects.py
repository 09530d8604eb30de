"""Subjects and templates: who may commit, and to what."""

from __future__ import annotations

from drf_spectacular.utils import (
    extend_schema,
)
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from commitments.lifecycle import selectors
from commitments.lifecycle.api.common import SubjectOutputSerializer
from directory import selectors as directory_selectors
from directory import services as directory_services
from directory.errors import error_responses
from directory.models import Subject


class SubjectListApi(APIView):
    """The subjects the caller represents."""

    @extend_schema(
        operation_id="subjects_list",
        tags=["subjects"],
        responses={200: SubjectOutputSerializer(many=True)},
    )
    def get(self, request):
        subjects = directory_selectors.subject_list(represented_by=request.user)
        return Response(SubjectOutputSerializer(subjects, many=True).data)


class SubjectRegisterApi(APIView):
    """Register a company or person and make the caller its representative."""

    class InputSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=Subject.Kind.choices)
        code = serializers.CharField(max_length=40)
        name = serializers.CharField(max_length=200)

        class Meta:
            ref_name = "SubjectRegisterInput"

    @extend_schema(
        operation_id="subjects_register",
        tags=["subjects"],
        request=InputSerializer,
        responses={201: SubjectOutputSerializer, **error_responses(400)},
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        subject = directory_services.subject_register(
            **data.validated_data, representative=request.user
        )
        return Response(SubjectOutputSerializer(subject).data, status=status.HTTP_201_CREATED)


class TemplateListApi(APIView):
    """Active templates with everything an applicant must be told before committing."""

    class OutputSerializer(serializers.Serializer):
        class FieldSpecSerializer(serializers.Serializer):
            name = serializers.CharField()
            label = serializers.CharField(default="")
            required = serializers.BooleanField(default=True)
            max_length = serializers.IntegerField(default=500)

            class Meta:
                ref_name = "TemplateField"

        class ObligationRuleSerializer(serializers.Serializer):
            position = serializers.IntegerField()
            title = serializers.CharField()
            description = serializers.CharField()
            deadline = serializers.IntegerField()
            deadline_unit = serializers.CharField()

            class Meta:
                ref_name = "ObligationRule"

        class NoticeSerializer(serializers.Serializer):
            legal_basis = serializers.CharField(source="notice_legal_basis")
            conditions = serializers.CharField(source="notice_conditions")
            waived_proof = serializers.CharField(source="notice_waived_proof")
            liability = serializers.CharField(source="notice_liability")
            verification = serializers.CharField(source="notice_verification")
            publicity = serializers.CharField(source="notice_publicity")

            class Meta:
                ref_name = "TemplateNotice"

        id = serializers.IntegerField(source="pk")
        code = serializers.CharField()
        version = serializers.IntegerField()
        kind = serializers.CharField()
        title = serializers.CharField()
        matter = serializers.CharField(source="matter.code")
        matter_name = serializers.CharField(source="matter.name")
        notice = NoticeSerializer(source="*")
        commitment_text = serializers.CharField()
        fields = FieldSpecSerializer(many=True)
        obligation_rules = ObligationRuleSerializer(many=True, source="obligation_rules.all")
        verification_method = serializers.CharField()
        verification_window = serializers.IntegerField()
        verification_window_unit = serializers.CharField()
        publicity_days = serializers.IntegerField()

        class Meta:
            ref_name = "Template"

    @extend_schema(
        operation_id="templates_list",
        tags=["templates"],
        responses={200: OutputSerializer(many=True)},
    )
    def get(self, request):
        templates = selectors.template_list_active().prefetch_related("obligation_rules")
        return Response(self.OutputSerializer(templates, many=True).data)
