"""Signing over the API, which starts the verification: one draft, or several in a batch
with one password.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from access.api import api_signing_proof, signing_password_field
from access.ceremony import signing_purpose
from commitments.lifecycle import selectors as commitment_selectors
from commitments.lifecycle.api.common import CommitmentDetailSerializer, commitment_detail_data
from directory.errors import error_responses
from workflows.verification.services.batch import (
    REFUSED,
    SIGNED,
    WAITING,
    batch_references_clean,
    commitment_batch_submit,
)
from workflows.verification.services.submission import commitment_submit


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
        return Response(
            commitment_detail_data(
                commitment_selectors.commitment_get(
                    reference=commitment.reference, visible_to=request.user
                )
            )
        )


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
