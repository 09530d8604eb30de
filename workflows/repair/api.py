"""REST API of credit repair and objections (version 1), over the flows' services.

Subject side (a representative of the subject): when each record becomes repairable and
under which rule, apply for repair with proofs (the platform signs the public repair
commitment, or checks and seals one signed elsewhere), file an objection, list its own
applications and objections with their status and decision. Officer side (an active member
of the department that has the case): its department's open cases, decisions, forwarding
an objection to the providing department.

Every lookup is scoped to the caller: someone else's record or case is a 404 that says so;
every refusal is the envelope ``{code, message, fields}`` and changes nothing. Each endpoint
calls one service (``workflows.repair.services``), which also advances the case's process.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from access.api import api_signing_proof, signing_password_field
from access.ceremony import signing_purpose
from config.api_pagination import PAGE_PARAMETERS, paginated, paginated_response
from directory import selectors as directory_selectors
from directory.errors import error_responses
from directory.identifiers import normalise
from workflows.errors import WorkflowError, WorkflowErrorCode
from workflows.repair.models import Objection, RepairApplication
from workflows.repair.selectors import cases
from workflows.repair.selectors.eligibility import repair_eligibilities
from workflows.repair.services import objections as objection_services
from workflows.repair.services import repair as repair_services

# Shapes ---------------------------------------------------------------------------------------


class RuleSetSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    legal_basis = serializers.CharField()
    effective_from = serializers.DateField()
    effective_until = serializers.DateField(allow_null=True)

    class Meta:
        ref_name = "CreditRuleSet"


class RefusalSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="`minimum_period`, `not_repairable`, ...")
    message = serializers.CharField()
    rule = serializers.CharField(help_text="The rule the refusal follows from.")

    class Meta:
        ref_name = "RepairRefusal"


class EligibilitySerializer(serializers.Serializer):
    breach = serializers.IntegerField(source="breach.pk")
    category = serializers.CharField(source="breach.category.name")
    severity = serializers.CharField(source="breach.severity")
    record_date = serializers.DateField(source="breach.record_date")
    status = serializers.CharField(source="breach.status")
    rule_set = RuleSetSerializer(source="breach.rule_set")
    eligible_from = serializers.DateField(
        help_text="The end of the minimum publicity period under the record's rule set."
    )
    is_eligible = serializers.BooleanField()
    refusals = RefusalSerializer(many=True)

    class Meta:
        ref_name = "RepairEligibility"


class RepairApplicationSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    breach = serializers.IntegerField(source="breach_id")
    subject = serializers.CharField(source="subject.code")
    department = serializers.CharField(source="department.name")
    commitment = serializers.CharField(
        source="commitment.reference", help_text="The signed public repair commitment."
    )
    statement = serializers.CharField()
    proofs = serializers.SerializerMethodField()
    status = serializers.CharField()
    submitted_on = serializers.DateField()
    feedback_due = serializers.DateField()
    decision_due = serializers.DateField()
    decided_on = serializers.DateField(allow_null=True)
    decision_reason = serializers.CharField()

    class Meta:
        ref_name = "RepairApplication"

    def get_proofs(self, application) -> list[str]:
        return [proof.name for proof in application.proofs.all()]


class ObjectionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    breach = serializers.IntegerField(source="breach_id")
    subject = serializers.CharField(source="subject.code")
    department = serializers.CharField(source="department.name")
    kind = serializers.CharField()
    grounds = serializers.CharField()
    status = serializers.CharField()
    filed_on = serializers.DateField()
    marked_on = serializers.DateField(allow_null=True)
    forward_due = serializers.DateField()
    decision_due = serializers.DateField()
    forwarded_on = serializers.DateField(allow_null=True)
    forwarded_from = serializers.CharField(source="forwarded_from.name", allow_null=True)
    forward_reason = serializers.CharField()
    decided_on = serializers.DateField(allow_null=True)
    decision_reason = serializers.CharField()

    class Meta:
        ref_name = "Objection"


# Subject side ---------------------------------------------------------------------------------


class RepairEligibilityApi(APIView):
    """Each record of a subject the caller represents: from when repair may be applied for,
    under which rule set (by the record's date), and why not yet."""

    @extend_schema(
        operation_id="credit_repair_eligibility",
        tags=["credit repair"],
        responses={200: EligibilitySerializer(many=True), **error_responses(404)},
    )
    def get(self, request, code: str):
        subject = (
            directory_selectors.subject_list(represented_by=request.user)
            .filter(code=normalise(code))
            .first()
        )
        if subject is None:
            raise WorkflowError(
                WorkflowErrorCode.NOT_FOUND,
                _("You do not represent a subject with this code."),
                field="code",
            )
        breaches = list(cases.breach_list(subject_id=subject.pk))
        rows = repair_eligibilities(breaches=breaches)
        return Response(EligibilitySerializer(rows, many=True).data)


class RepairListApi(APIView):
    """Repair applications of the subjects the caller represents, newest first; or (POST)
    apply for repair.

    POST ``multipart/form-data``: ``breach``, ``statement``, one or more ``proofs`` (PDF, PNG
    or JPEG) and optionally ``signed_pdf``, the repair commitment signed elsewhere (without
    it the platform signs the commitment for the caller, who then proves who they are as for
    any signature: ``password``, see ``access.api``). The answer
    names the signed commitment's reference."""

    parser_classes = [MultiPartParser, FormParser]

    class InputSerializer(serializers.Serializer):
        breach = serializers.IntegerField()
        statement = serializers.CharField(max_length=5000)
        proofs = serializers.ListField(
            child=serializers.FileField(allow_empty_file=True), required=False, default=list
        )
        signed_pdf = serializers.FileField(required=False)
        password = signing_password_field()

        class Meta:
            ref_name = "RepairApplyInput"

    @extend_schema(
        operation_id="credit_repairs_list",
        tags=["credit repair"],
        parameters=PAGE_PARAMETERS,
        responses={200: paginated(RepairApplicationSerializer, "PaginatedRepairApplicationList")},
    )
    def get(self, request):
        return paginated_response(
            request=request,
            view=self,
            queryset=cases.repair_list(represented_by=request.user),
            serializer_class=RepairApplicationSerializer,
        )

    @extend_schema(
        operation_id="credit_repairs_apply",
        tags=["credit repair"],
        request={"multipart/form-data": InputSerializer},
        responses={201: RepairApplicationSerializer, **error_responses(400, 404, 409, 429)},
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        breach = cases.breach_get_own(user=request.user, pk=values["breach"])
        if values.get("signed_pdf") is None:
            api_signing_proof(
                request,
                password=values.get("password", ""),
                purpose=signing_purpose("repair", str(breach.pk)),
            )
        proofs = [
            repair_services.ProofFile(
                name=upload.name, content_type=upload.content_type, data=upload.read()
            )
            for upload in values["proofs"]
        ]
        signed = values.get("signed_pdf")
        application = repair_services.repair_submit(
            breach=breach,
            by=request.user,
            statement=values["statement"],
            proofs=proofs,
            uploaded_pdf=signed.read() if signed is not None else None,
        )
        application = cases.repair_get(pk=application.pk)
        return Response(
            RepairApplicationSerializer(application).data, status=status.HTTP_201_CREATED
        )


class ObjectionListApi(APIView):
    """Objections of the subjects the caller represents, newest first; or (POST) file one."""

    class InputSerializer(serializers.Serializer):
        breach = serializers.IntegerField()
        kind = serializers.ChoiceField(choices=Objection.Kind.choices)
        grounds = serializers.CharField(max_length=5000)

        class Meta:
            ref_name = "ObjectionFileInput"

    @extend_schema(
        operation_id="credit_objections_list",
        tags=["credit objections"],
        parameters=PAGE_PARAMETERS,
        responses={200: paginated(ObjectionSerializer, "PaginatedObjectionList")},
    )
    def get(self, request):
        return paginated_response(
            request=request,
            view=self,
            queryset=cases.objection_list(represented_by=request.user),
            serializer_class=ObjectionSerializer,
        )

    @extend_schema(
        operation_id="credit_objections_file",
        tags=["credit objections"],
        request=InputSerializer,
        responses={201: ObjectionSerializer, **error_responses(400, 404, 409)},
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        objection = objection_services.objection_submit(
            breach=cases.breach_get_own(user=request.user, pk=values["breach"]),
            by=request.user,
            kind=values["kind"],
            grounds=values["grounds"],
        )
        objection = cases.objection_get(pk=objection.pk)
        return Response(ObjectionSerializer(objection).data, status=status.HTTP_201_CREATED)


# Officer side ---------------------------------------------------------------------------------


class OfficeRepairListApi(APIView):
    """Open repair applications of the caller's departments, the earliest due first."""

    @extend_schema(
        operation_id="credit_office_repairs_list",
        tags=["credit repair"],
        parameters=PAGE_PARAMETERS,
        responses={200: paginated(RepairApplicationSerializer, "PaginatedRepairApplicationList")},
    )
    def get(self, request):
        applications = cases.repair_applications_for_department(
            department_ids=directory_selectors.department_ids_of(request.user)
        ).filter(status=RepairApplication.Status.SUBMITTED)
        return paginated_response(
            request=request,
            view=self,
            queryset=cases.with_repair_details(applications),
            serializer_class=RepairApplicationSerializer,
        )


class OfficeRepairDecideApi(APIView):
    """Grant the repair (publication and sharing stop, measures are lifted, receiving
    systems are told) or refuse it with the reason."""

    class InputSerializer(serializers.Serializer):
        decision = serializers.ChoiceField(choices=[("grant", "grant"), ("refuse", "refuse")])
        reason = serializers.CharField(
            max_length=5000, required=False, default="", allow_blank=True
        )

        class Meta:
            ref_name = "RepairDecideInput"

    @extend_schema(
        operation_id="credit_office_repairs_decide",
        tags=["credit repair"],
        request=InputSerializer,
        responses={200: RepairApplicationSerializer, **error_responses(400, 404, 409)},
    )
    def post(self, request, pk: int):
        application = cases.office_case_get(RepairApplication, user=request.user, pk=pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        repair_services.repair_decide(
            application=application,
            by=request.user,
            grant=data.validated_data["decision"] == "grant",
            reason=data.validated_data["reason"],
        )
        application = cases.repair_get(pk=pk)
        return Response(RepairApplicationSerializer(application).data)


class OfficeObjectionListApi(APIView):
    """Open objections with the caller's departments, the earliest due first."""

    @extend_schema(
        operation_id="credit_office_objections_list",
        tags=["credit objections"],
        parameters=PAGE_PARAMETERS,
        responses={200: paginated(ObjectionSerializer, "PaginatedObjectionList")},
    )
    def get(self, request):
        objections = cases.objections_for_department(
            department_ids=directory_selectors.department_ids_of(request.user)
        ).filter(status__in=Objection.OPEN_STATES)
        return paginated_response(
            request=request,
            view=self,
            queryset=cases.with_objection_details(objections),
            serializer_class=ObjectionSerializer,
        )


class OfficeObjectionDecideApi(APIView):
    """Uphold the objection (``corrected``: the record's text or end of publicity is
    corrected; ``revoked``: the record is cleared) or reject it, with the reason."""

    class InputSerializer(serializers.Serializer):
        outcome = serializers.ChoiceField(
            choices=[("corrected", "corrected"), ("revoked", "revoked"), ("rejected", "rejected")]
        )
        reason = serializers.CharField(max_length=5000, allow_blank=True)
        corrected_reason = serializers.CharField(
            max_length=5000, required=False, default="", allow_blank=True
        )
        corrected_max_until = serializers.DateField(required=False, allow_null=True, default=None)

        class Meta:
            ref_name = "ObjectionDecideInput"

    @extend_schema(
        operation_id="credit_office_objections_decide",
        tags=["credit objections"],
        request=InputSerializer,
        responses={200: ObjectionSerializer, **error_responses(400, 404, 409)},
    )
    def post(self, request, pk: int):
        objection = cases.office_case_get(Objection, user=request.user, pk=pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        objection_services.objection_decide(
            objection=objection, by=request.user, **data.validated_data
        )
        return Response(ObjectionSerializer(cases.objection_get(pk=pk)).data)


class OfficeObjectionForwardApi(APIView):
    """Forward an open objection, with the reason, to the department that provided the
    record; that department gets the decision with its own working-day limit."""

    class InputSerializer(serializers.Serializer):
        department = serializers.CharField(max_length=50, help_text="The department's code.")
        reason = serializers.CharField(max_length=5000, allow_blank=True)

        class Meta:
            ref_name = "ObjectionForwardInput"

    @extend_schema(
        operation_id="credit_office_objections_forward",
        tags=["credit objections"],
        request=InputSerializer,
        responses={200: ObjectionSerializer, **error_responses(400, 404, 409)},
    )
    def post(self, request, pk: int):
        objection = cases.office_case_get(Objection, user=request.user, pk=pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        department = cases.department_get_by_code(code=data.validated_data["department"])
        objection_services.objection_forward(
            objection=objection,
            by=request.user,
            department=department,
            reason=data.validated_data["reason"],
        )
        return Response(ObjectionSerializer(cases.objection_get(pk=pk)).data)
