"""Spot-check draws over the API: a supervisor draws on-site spot checks for a department they
supervise, among its open verifications and its exempt cases still open to a draw (ADR 0032).

The draw is ``sampling_draw``, the same service as the spot-check page: the seed, the
population, the policy and the register checkpoint are recorded with who drew and when, so
the answer can be checked and replayed.
"""

from __future__ import annotations

from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from directory.errors import error_responses
from directory.models import Department, Matter, RegulatorMembership
from directory.selectors import department_ids_of
from workflows.errors import WorkflowError, WorkflowErrorCode
from workflows.verification.models import SamplingDraw
from workflows.verification.services.sampling import sampling_draw, sampling_replay


class SamplingDrawOutputSerializer(serializers.Serializer):
    """A recorded draw: enough to check it and to replay it."""

    id = serializers.IntegerField(source="pk")
    department = serializers.CharField(source="department.code")
    matter = serializers.CharField(allow_null=True, help_text="The matter drawn in; null: all.")
    seed = serializers.CharField()
    drawn_by = serializers.CharField(source="drawn_by.username")
    drawn_at = serializers.DateTimeField()
    selected = serializers.DictField(
        child=serializers.ListField(child=serializers.IntegerField()),
        help_text="The verification tasks drawn, by risk grade.",
    )
    selected_references = serializers.DictField(
        child=serializers.CharField(), help_text="The drawn commitments' references, by task."
    )
    exempt_population = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="The waiting tasks of exempt cases that took part in the draw.",
    )
    is_replayed = serializers.BooleanField(
        help_text="The draw recomputed from its recorded seed and inputs gives the same tasks."
    )

    class Meta:
        ref_name = "SamplingDraw"


def sampling_draw_data(draw: SamplingDraw) -> dict:
    draw.matter = draw.inputs.get("matter")
    draw.selected_references = draw.inputs.get("selected_references", {})
    draw.exempt_population = draw.inputs.get("exempt", [])
    draw.is_replayed = sampling_replay(draw=draw) == draw.selected
    return SamplingDrawOutputSerializer(draw).data


class SamplingDrawApi(APIView):
    """Draw on-site spot checks in a department the caller supervises (403 for anyone who
    supervises none, or not that one; 400 with the field for bad input, nothing drawn)."""

    class InputSerializer(serializers.Serializer):
        department = serializers.CharField(max_length=50, help_text="The department's code.")
        matter = serializers.CharField(
            max_length=50,
            required=False,
            allow_blank=True,
            default="",
            help_text="Draw only in this matter (its code); empty: every matter.",
        )
        seed = serializers.CharField(
            max_length=64,
            required=False,
            allow_blank=True,
            default="",
            help_text="An optional phrase mixed into the seed, which comes from the register.",
        )

        class Meta:
            ref_name = "SamplingDrawInput"

    @extend_schema(
        operation_id="sampling_draw",
        tags=["tasks"],
        request=InputSerializer,
        responses={201: SamplingDrawOutputSerializer, **error_responses(400, 401, 403)},
    )
    def post(self, request):
        if not department_ids_of(request.user, role=RegulatorMembership.Role.SUPERVISOR):
            raise WorkflowError(
                WorkflowErrorCode.FORBIDDEN,
                gettext("Only a supervisor of the department can draw spot checks."),
            )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        department = Department.objects.filter(code=data.validated_data["department"]).first()
        if department is None:
            raise WorkflowError(
                WorkflowErrorCode.INVALID, gettext("No such department."), field="department"
            )
        matter = None
        if data.validated_data["matter"]:
            matter = Matter.objects.filter(code=data.validated_data["matter"]).first()
            if matter is None:
                raise WorkflowError(
                    WorkflowErrorCode.INVALID, gettext("No such matter."), field="matter"
                )
        draw = sampling_draw(
            department=department, by=request.user, matter=matter, seed=data.validated_data["seed"]
        )
        return Response(sampling_draw_data(draw), status=201)
