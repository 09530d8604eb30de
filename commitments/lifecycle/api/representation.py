"""Representation over the API: one's own representations, letters and agent requests; the
legal representative's agents (grant, revoke, refuse a request); the officers' review.

Every refusal is the JSON error envelope; a representation or subject the caller may not see
is a 404 (nobody learns whether another's code or agent exists).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from commitments.errors import invalid_input
from commitments.lifecycle.api.uploads import request_upload_bytes
from commitments.lifecycle.services.representation import representation_letter_upload
from directory.errors import DirectoryError, DirectoryErrorCode, error_responses
from directory.models import Matter
from directory.representation import selectors as representation_selectors
from directory.representation import services as representation_services
from directory.representation.models import Representation


class RepresentationSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    subject_code = serializers.CharField(source="subject.display_code")
    subject_name = serializers.CharField(source="subject.name")
    user = serializers.CharField(source="user.username")
    role = serializers.CharField(help_text=" | ".join(Representation.Role.values))
    status = serializers.CharField(
        help_text="Only `proven` within the period acts: "
        + " | ".join(Representation.Status.values)
    )
    method = serializers.CharField(help_text=" | ".join(Representation.Method.values))
    covers_all_matters = serializers.BooleanField()
    matters = serializers.SerializerMethodField()
    valid_from = serializers.DateTimeField(allow_null=True)
    valid_until = serializers.DateTimeField(allow_null=True)
    review_reason = serializers.CharField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    revoke_reason = serializers.CharField()

    class Meta:
        ref_name = "Representation"

    def get_matters(self, row: Representation) -> list[str]:
        return sorted(matter.code for matter in row.matters.all())


def _visible(request, pk: int) -> Representation:
    return representation_selectors.representation_get_visible(pk=pk, viewer=request.user)


class ReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)

    class Meta:
        ref_name = "RepresentationReasonInput"


class RepresentationListApi(APIView):
    """The caller's representations: proven, claimed, under review, requested, ended."""

    @extend_schema(
        operation_id="representations_list",
        tags=["representation"],
        responses={200: RepresentationSerializer(many=True)},
    )
    def get(self, request):
        rows = representation_selectors.representation_list_of_user(user=request.user)
        return Response(RepresentationSerializer(rows.prefetch_related("matters"), many=True).data)


class LetterSubmitApi(APIView):
    """Upload an authorisation letter (PDF) for a code, for an officer's review."""

    parser_classes = [MultiPartParser]

    class InputSerializer(serializers.Serializer):
        code = serializers.CharField(max_length=40)
        role = serializers.ChoiceField(choices=Representation.Role.choices)
        file = serializers.FileField(help_text="The letter, a PDF.")

        class Meta:
            ref_name = "LetterSubmitInput"

    @extend_schema(
        operation_id="representations_letter_submit",
        tags=["representation"],
        request={"multipart/form-data": InputSerializer},
        responses={201: RepresentationSerializer, **error_responses(400, 409)},
    )
    def post(self, request):
        data = request_upload_bytes(request)
        django_request = request._request
        fields = {
            "code": django_request.POST.get("code", ""),
            "role": django_request.POST.get("role", ""),
        }
        if not fields["code"]:
            raise invalid_input("code", _("Enter the code of the subject."))
        row = representation_letter_upload(
            user=request.user,
            code=fields["code"],
            role=fields["role"],
            data=data,
            filename=getattr(django_request.FILES.get("file"), "name", ""),
        )
        return Response(RepresentationSerializer(row).data, status=status.HTTP_201_CREATED)


class AgentRequestApi(APIView):
    """Ask a subject's legal representative to authorise the caller as an agent."""

    class InputSerializer(serializers.Serializer):
        code = serializers.CharField(max_length=40)
        reason = serializers.CharField(max_length=500)

        class Meta:
            ref_name = "AgentRequestInput"

    @extend_schema(
        operation_id="representations_agent_request",
        tags=["representation"],
        request=InputSerializer,
        responses={201: RepresentationSerializer, **error_responses(400, 409)},
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = representation_services.agent_request(user=request.user, **data.validated_data)
        return Response(RepresentationSerializer(row).data, status=status.HTTP_201_CREATED)


class AgentListApi(APIView):
    """A subject's agents and requests (for its proven legal representative), and granting."""

    parser_classes = [JSONParser]

    class GrantInputSerializer(serializers.Serializer):
        user = serializers.CharField(max_length=150, help_text="The agent's user name.")
        matters = serializers.ListField(
            child=serializers.CharField(max_length=50), help_text="Codes of matters in scope."
        )
        valid_until = serializers.DateTimeField()
        reason = serializers.CharField(max_length=500)

        class Meta:
            ref_name = "AgentGrantInput"

    def _subject(self, request, code: str):
        return representation_selectors.represented_subject_get(
            code=code, legal_representative=request.user
        )

    @extend_schema(
        operation_id="subjects_agents_list",
        tags=["representation"],
        responses={200: RepresentationSerializer(many=True), **error_responses(404)},
    )
    def get(self, request, code: str):
        subject = self._subject(request, code)
        rows = representation_selectors.agent_list(subject_id=subject.pk)
        return Response(RepresentationSerializer(rows, many=True).data)

    @extend_schema(
        operation_id="subjects_agents_grant",
        tags=["representation"],
        request=GrantInputSerializer,
        responses={201: RepresentationSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request, code: str):
        subject = self._subject(request, code)
        data = self.GrantInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        agent = get_user_model().objects.filter(username=values["user"], is_active=True).first()
        if agent is None:
            raise invalid_input("user", _("No active user has this name."))
        matters = list(Matter.objects.filter(code__in=values["matters"]))
        unknown = sorted(set(values["matters"]) - {matter.code for matter in matters})
        if unknown:
            raise invalid_input(
                "matters", _("Unknown matters: %(codes)s.") % {"codes": ", ".join(unknown)}
            )
        row = representation_services.agent_grant(
            subject=subject,
            user=agent,
            matters=matters,
            valid_until=values["valid_until"],
            by=request.user,
            reason=values["reason"],
        )
        return Response(RepresentationSerializer(row).data, status=status.HTTP_201_CREATED)


class ReasonedDecisionApi(APIView):
    """A decision on one representation that needs only a reason (``decide``: a service)."""

    decide = None

    def post(self, request, pk: int):
        row = _visible(request, pk)
        data = ReasonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = type(self).decide(
            representation=row, by=request.user, reason=data.validated_data["reason"]
        )
        return Response(RepresentationSerializer(row).data)


DECISION_RESPONSES = {200: RepresentationSerializer, **error_responses(400, 403, 404, 409)}


@extend_schema_view(
    post=extend_schema(
        operation_id="representations_revoke",
        tags=["representation"],
        request=ReasonInputSerializer,
        responses=DECISION_RESPONSES,
    )
)
class RepresentationRevokeApi(ReasonedDecisionApi):
    """Revoke at once: an agent (its legal representative), one's own, any (an officer)."""

    decide = representation_services.representation_revoke


@extend_schema_view(
    post=extend_schema(
        operation_id="representations_refuse",
        tags=["representation"],
        request=ReasonInputSerializer,
        responses=DECISION_RESPONSES,
    )
)
class AgentRequestRefuseApi(ReasonedDecisionApi):
    """The legal representative refuses an agent request, with a reason."""

    decide = representation_services.agent_request_refuse


def _officer_only(request) -> None:
    if not representation_selectors.is_representation_officer(request.user):
        raise DirectoryError(
            DirectoryErrorCode.FORBIDDEN,
            _("Only an officer may review authorisation letters."),
            field="reviewer",
        )


class LetterPendingListApi(APIView):
    """Authorisation letters waiting for an officer (officers only)."""

    @extend_schema(
        operation_id="representations_letters_pending",
        tags=["representation"],
        responses={200: RepresentationSerializer(many=True), **error_responses(403)},
    )
    def get(self, request):
        _officer_only(request)
        rows = representation_selectors.letter_review_list().prefetch_related("matters")
        return Response(RepresentationSerializer(rows, many=True).data)


class LetterReviewApi(APIView):
    """An officer approves or refuses a letter, with a reason."""

    class InputSerializer(serializers.Serializer):
        decision = serializers.ChoiceField(choices=["approve", "refuse"])
        reason = serializers.CharField(max_length=500)

        class Meta:
            ref_name = "LetterReviewInput"

    @extend_schema(
        operation_id="representations_review",
        tags=["representation"],
        request=InputSerializer,
        responses={200: RepresentationSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request, pk: int):
        _officer_only(request)
        row = _visible(request, pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = representation_services.representation_letter_review(
            representation=row,
            by=request.user,
            is_approved=data.validated_data["decision"] == "approve",
            reason=data.validated_data["reason"],
        )
        return Response(RepresentationSerializer(row).data)
