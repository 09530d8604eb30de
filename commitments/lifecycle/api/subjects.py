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
from directory.errors import error_responses
from directory.models import Subject
from directory.representation import services as representation_services
from signing.render.glyphs import validate_drawable


class SubjectListApi(APIView):
    """The subjects the caller provenly represents now (claims are under `representations`)."""

    @extend_schema(
        operation_id="subjects_list",
        tags=["subjects"],
        responses={200: SubjectOutputSerializer(many=True)},
    )
    def get(self, request):
        subjects = directory_selectors.subject_list(represented_by=request.user)
        return Response(SubjectOutputSerializer(subjects, many=True).data)


class RegisteredSubjectSerializer(SubjectOutputSerializer):
    representation = serializers.SerializerMethodField(
        help_text="The caller's standing: `claimed` until proven (drafts only, no signature)."
    )

    class Meta:
        ref_name = "RegisteredSubject"

    def get_representation(self, subject) -> dict[str, str]:
        claim = self.context["claim"]
        return {"role": claim.role, "status": claim.status}


class SubjectRegisterApi(APIView):
    """Register (claim) a company or person: the caller may prepare drafts for it, and sign
    once it has proven that it represents it. A code that already has a proven representative
    is a 409 (`already_represented`) naming the two ways forward."""

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
        responses={201: RegisteredSubjectSerializer, **error_responses(400, 409)},
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        claim = representation_services.subject_claim(user=request.user, **data.validated_data)
        return Response(
            RegisteredSubjectSerializer(claim.subject, context={"claim": claim}).data,
            status=status.HTTP_201_CREATED,
        )
