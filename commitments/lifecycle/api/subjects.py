"""Subjects: who may commit (the subjects a caller acts for, and registering one)."""

from __future__ import annotations

from drf_spectacular.utils import (
    extend_schema,
)
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from commitments.lifecycle.api.common import SubjectOutputSerializer
from directory import selectors as directory_selectors
from directory import services as directory_services
from directory.errors import error_responses
from directory.models import Subject
from signing.render.glyphs import validate_drawable


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
        name = serializers.CharField(max_length=200, validators=[validate_drawable])

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
