"""Bidding pledges: the tenders taking pledges, a bidder's pledges (made and signed in one
call), and the tendering authority's outcome and payment records.

A caller sees the pledges of the subjects it represents and those for its departments'
tenders; any other pledge is a 404, and only the tendering authority records outcomes.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from access.api import api_signing_proof, signing_password_field
from access.ceremony import signing_purpose
from commitments.errors import CommitmentError, ErrorCode
from commitments.lifecycle.api.common import SubjectOutputSerializer
from commitments.pledges import selectors as pledge_selectors
from commitments.pledges.models import BidPledge, Tender
from commitments.pledges.services import (
    bid_pledge_make,
    bid_pledge_outcome,
    bid_pledge_paid,
    tender_create,
)
from config.api_pagination import PAGE_PARAMETERS, QueryChoiceField, paginated, paginated_response
from directory import selectors as directory_selectors
from directory.errors import ErrorSerializer, error_responses
from directory.identifiers import normalise

OUTCOME_CHOICES = [*BidPledge.Kept.choices, *BidPledge.Breach.choices]


class TenderSerializer(serializers.Serializer):
    reference = serializers.CharField()
    title = serializers.CharField()
    authority = serializers.CharField(source="department.code")
    authority_name = serializers.CharField(source="department.name")
    bid_deadline = serializers.DateTimeField()
    deposit_amount = serializers.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ref_name = "Tender"


class PledgeEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    actor = serializers.CharField()
    status = serializers.CharField()
    status_display = serializers.CharField()
    reason = serializers.CharField()

    class Meta:
        ref_name = "PledgeEvent"


class PledgeSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    tender = TenderSerializer()
    subject = SubjectOutputSerializer()
    commitment = serializers.CharField(source="commitment.reference")
    pledged_at = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=BidPledge.Status.choices)
    status_display = serializers.CharField(source="get_status_display")

    class Meta:
        ref_name = "PledgeSummary"


class PledgeDetailSerializer(PledgeSummarySerializer):
    kept = serializers.CharField(help_text="How a released pledge was kept (may be empty).")
    breach = serializers.CharField(help_text="The breach, when there was one.")
    amount_due = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    noticed_on = serializers.DateField(allow_null=True, help_text="Non-refund notice sent.")
    payment_due = serializers.DateField(allow_null=True)
    paid_on = serializers.DateField(allow_null=True)
    listed_until_at_least = serializers.DateField(
        source="list_entry.exit_not_before", allow_null=True, default=None
    )
    history = serializers.SerializerMethodField()

    class Meta:
        ref_name = "PledgeDetail"

    @extend_schema_field(PledgeEventSerializer(many=True))
    def get_history(self, pledge: BidPledge) -> list:
        return PledgeEventSerializer(pledge_selectors.pledge_history(pledge=pledge), many=True).data


def _detail(pledge: BidPledge) -> dict:
    return PledgeDetailSerializer(pledge).data


def _pledge(request, pk: int) -> BidPledge:
    return pledge_selectors.pledge_get(pk=pk, visible_to=request.user)


class TenderListApi(APIView):
    """Tenders still taking bids (and pledges), soonest deadline first."""

    @extend_schema(
        operation_id="tenders_list",
        tags=["pledges"],
        parameters=PAGE_PARAMETERS,
        responses={200: paginated(TenderSerializer, "PaginatedTenderList")},
    )
    def get(self, request):
        return paginated_response(
            request=request,
            view=self,
            queryset=pledge_selectors.tender_list_open(),
            serializer_class=TenderSerializer,
        )


class TenderCreateApi(APIView):
    """Announce a tender that accepts pledges (a member of the tendering department)."""

    class InputSerializer(serializers.Serializer):
        authority = serializers.CharField(help_text="The tendering department's code.")
        reference = serializers.CharField(max_length=50)
        title = serializers.CharField(max_length=300)
        bid_deadline = serializers.DateTimeField()
        deposit_amount = serializers.DecimalField(max_digits=14, decimal_places=2)

        class Meta:
            ref_name = "TenderCreateInput"

    @extend_schema(
        operation_id="tenders_create",
        tags=["pledges"],
        request=InputSerializer,
        responses={201: TenderSerializer, **error_responses(400, 404)},
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        department = (
            pledge_selectors.authority_departments(user=request.user)
            .filter(code=values["authority"])
            .first()
        )
        if department is None:
            raise CommitmentError(
                ErrorCode.NOT_FOUND,
                _("You hold no seat in a department with this code."),
                field="authority",
            )
        tender = tender_create(
            by=request.user,
            department=department,
            reference=values["reference"],
            title=values["title"],
            bid_deadline=values["bid_deadline"],
            deposit_amount=values["deposit_amount"],
        )
        return Response(TenderSerializer(tender).data, status=status.HTTP_201_CREATED)


class PledgeListApi(APIView):
    """The caller's subjects' pledges and the pledges for its departments' tenders."""

    class FilterSerializer(serializers.Serializer):
        status = QueryChoiceField(choices=BidPledge.Status.choices, required=False)

    @extend_schema(
        operation_id="pledges_list",
        tags=["pledges"],
        parameters=[FilterSerializer, *PAGE_PARAMETERS],
        responses={
            200: paginated(PledgeSummarySerializer, "PaginatedPledgeList"),
            **error_responses(400),
        },
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        pledges = pledge_selectors.pledge_list(visible_to=request.user)
        if "status" in filters.validated_data:
            pledges = pledges.filter(status=filters.validated_data["status"])
        return paginated_response(
            request=request, view=self, queryset=pledges, serializer_class=PledgeSummarySerializer
        )


class PledgeCreateApi(APIView):
    """Pledge a represented subject's credit for a tender in place of the bid deposit.

    The pledge commitment is made and signed in the caller's name in this one call, proven by
    the signer's ``password`` like any signature (``access.api``); refused,
    with nothing made, for a black-listed subject, after the bid deadline or a second time.
    """

    class InputSerializer(serializers.Serializer):
        tender = serializers.CharField(max_length=50, help_text="The tender's reference.")
        subject = serializers.CharField(max_length=40, help_text="The bidder's code.")
        password = signing_password_field()

        class Meta:
            ref_name = "PledgeCreateInput"

    @extend_schema(
        operation_id="pledges_create",
        tags=["pledges"],
        request=InputSerializer,
        responses={201: PledgeDetailSerializer, **error_responses(400, 409, 429)},
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        subject = (
            directory_selectors.subject_list(represented_by=request.user)
            .filter(code=normalise(values["subject"]))
            .first()
        )
        if subject is None:
            raise CommitmentError(
                ErrorCode.INVALID, _("You represent no subject with this code."), field="subject"
            )
        tender = (
            Tender.objects.select_related("department__region")
            .filter(reference=values["tender"].strip())
            .first()
        )
        if tender is None:
            raise CommitmentError(ErrorCode.INVALID, _("There is no such tender."), field="tender")
        api_signing_proof(
            request,
            password=values.get("password", ""),
            purpose=signing_purpose("pledge", tender.reference, subject.code),
        )
        pledge = bid_pledge_make(tender=tender, subject=subject, by=request.user)
        return Response(_detail(pledge), status=status.HTTP_201_CREATED)


class PledgeDetailApi(APIView):
    """One pledge with its outcome, any non-refund notice and its history."""

    @extend_schema(
        operation_id="pledges_retrieve",
        tags=["pledges"],
        responses={200: PledgeDetailSerializer, **error_responses(404)},
    )
    def get(self, request, pk: int):
        return Response(_detail(_pledge(request, pk)))


class PledgeOutcomeApi(APIView):
    """The tendering authority records how the pledge was kept or breached; a breach sends the
    non-refund notice with its payment deadline."""

    class InputSerializer(serializers.Serializer):
        outcome = serializers.ChoiceField(choices=OUTCOME_CHOICES)

        class Meta:
            ref_name = "PledgeOutcomeInput"

    @extend_schema(
        operation_id="pledges_outcome",
        tags=["pledges"],
        request=InputSerializer,
        description=(
            "Outcomes that only the award makes possible (won_signed, lost, not_signed, "
            "no_guarantee) and a breaching withdrawal are refused before the tender's bid "
            "deadline: 400, code invalid, with the message under fields.outcome."
        ),
        responses={
            200: PledgeDetailSerializer,
            **error_responses(404, 409),
            400: OpenApiResponse(
                ErrorSerializer,
                description=(
                    "Refused: an unknown outcome, or one the tender's dates do not allow yet "
                    "(fields.outcome)."
                ),
            ),
        },
    )
    def post(self, request, pk: int):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        pledge = bid_pledge_outcome(
            pledge=_pledge(request, pk), by=request.user, outcome=data.validated_data["outcome"]
        )
        return Response(_detail(pledge))


class PledgePaymentApi(APIView):
    """The tendering authority records that the amount of a non-refund notice was paid."""

    @extend_schema(
        operation_id="pledges_payment",
        tags=["pledges"],
        request=None,
        responses={200: PledgeDetailSerializer, **error_responses(404, 409)},
    )
    def post(self, request, pk: int):
        pledge = bid_pledge_paid(pledge=_pledge(request, pk), by=request.user)
        return Response(_detail(pledge))


__all__ = [
    "PledgeCreateApi",
    "PledgeDetailApi",
    "PledgeListApi",
    "PledgeOutcomeApi",
    "PledgePaymentApi",
    "TenderCreateApi",
    "TenderListApi",
]
