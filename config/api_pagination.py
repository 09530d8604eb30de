"""The API's one page shape: limit/offset pages, their schema and their query parameters.

Every app's list endpoint answers ``{"count", "next", "previous", "results"}`` through these.
"""

from __future__ import annotations

import functools

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, inline_serializer
from rest_framework import serializers
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response


@functools.cache
def paginated(serializer_class, name: str):
    """The schema of a limit/offset page of ``serializer_class`` items (one per name)."""
    return inline_serializer(
        name=name,
        fields={
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer_class(many=True),
        },
    )


PAGE_PARAMETERS = [
    OpenApiParameter("limit", OpenApiTypes.INT, description="Items per page (default 50)."),
    OpenApiParameter("offset", OpenApiTypes.INT, description="Items to skip."),
]


def paginated_response(*, request, view, queryset, serializer_class) -> Response:
    paginator = LimitOffsetPagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer_class(page, many=True).data)
