"""The catalogue's API: the templates an applicant may commit to, with their notices."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from commitments.catalogue.models import CommitmentTemplate
from commitments.catalogue.selectors import kind_list, template_list_active


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
        kind_name = serializers.CharField(source="rules.name")
        consequence = serializers.ChoiceField(
            choices=CommitmentTemplate.Consequence.choices,
            help_text="Accept now, supply later: what the approval suffers when an item is not "
            "supplied by its deadline (suspend or revoke); empty for other kinds.",
        )

        class Meta:
            ref_name = "Template"

    @extend_schema(
        operation_id="templates_list",
        tags=["templates"],
        responses={200: OutputSerializer(many=True)},
    )
    def get(self, request):
        templates = template_list_active().prefetch_related("obligation_rules")
        return Response(self.OutputSerializer(templates, many=True).data)


class KindListApi(APIView):
    """The kinds of commitment the city runs and their lifecycle rules, in the reader's
    language (``Accept-Language``)."""

    class OutputSerializer(serializers.Serializer):
        code = serializers.CharField()
        name = serializers.CharField()
        description = serializers.CharField()
        is_verified = serializers.BooleanField(
            help_text="Verified by the competent department after signing."
        )
        creates_obligations = serializers.BooleanField(
            help_text="The template's obligation rules become obligations with deadlines."
        )
        items_supplied_later = serializers.BooleanField(
            help_text="The obligations are missing items supplied after acceptance."
        )
        is_published = serializers.BooleanField(help_text="Published on the public portal.")
        has_own_process = serializers.BooleanField(
            help_text="Drafted and signed inside its own process (repair, bidding pledge)."
        )
        may_withdraw_before_decision = serializers.BooleanField()

        class Meta:
            ref_name = "CommitmentKind"

    @extend_schema(
        operation_id="kinds_list",
        tags=["templates"],
        responses={200: OutputSerializer(many=True)},
    )
    def get(self, request):
        return Response(self.OutputSerializer(kind_list(), many=True).data)
