"""The fulfilment figures over the API, for officers (department members)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from directory.errors import error_responses
from directory.selectors import is_regulator
from workflows.figures.selectors import DIMENSIONS, fulfilment_figures


class TallySerializer(serializers.Serializer):
    decided = serializers.IntegerField()
    fulfilled = serializers.IntegerField()
    late = serializers.IntegerField()
    rectified = serializers.IntegerField()
    exempt = serializers.IntegerField(
        help_text="Closed without verification under the matter's exemption rule; not in decided."
    )
    fulfilment_rate = serializers.FloatField(help_text="Percent of decided, one decimal.")
    late_rate = serializers.FloatField()
    rectification_rate = serializers.FloatField()

    class Meta:
        ref_name = "FulfilmentTally"


class RowSerializer(TallySerializer):
    key = serializers.CharField(allow_null=True, help_text="code, id or YYYY-MM")
    name = serializers.CharField()

    class Meta:
        ref_name = "FulfilmentRow"


class FiguresSerializer(serializers.Serializer):
    months = serializers.ListField(child=serializers.CharField())
    total = TallySerializer()
    kind = RowSerializer(many=True)
    matter = RowSerializer(many=True)
    department = RowSerializer(many=True)
    month = RowSerializer(many=True)

    class Meta:
        ref_name = "FulfilmentFigures"


class FiguresApi(APIView):
    """Fulfilment, late and rectification rates of the last ``months`` months (1–36)."""

    class FilterSerializer(serializers.Serializer):
        months = serializers.IntegerField(
            required=False,
            default=12,
            min_value=1,
            max_value=36,
            help_text="12 if not given.",
        )

        class Meta:
            ref_name = "FiguresFilter"

    @extend_schema(
        operation_id="figures_read",
        tags=["figures"],
        parameters=[FilterSerializer],
        responses={200: FiguresSerializer, **error_responses(400, 401, 403)},
    )
    def get(self, request):
        if not is_regulator(request.user):
            raise PermissionDenied(_("Fulfilment figures are for department staff."))
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        months = filters.validated_data["months"]
        figures = fulfilment_figures(until=timezone.localdate(), months=months)
        data = {
            "months": [m.strftime("%Y-%m") for m in figures.months],
            "total": figures.total.as_dict(),
        }
        for dimension in DIMENSIONS:
            names = figures.names[dimension]
            keys = (
                figures.months
                if dimension == "month"
                else sorted(figures.by[dimension], key=lambda k, n=names: n[k])
            )
            data[dimension] = [
                {
                    "key": key.strftime("%Y-%m") if dimension == "month" else key,
                    "name": names[key],
                    **figures.by[dimension].get(key, type(figures.total)()).as_dict(),
                }
                for key in keys
            ]
        return Response(FiguresSerializer(data).data)
