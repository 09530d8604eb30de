"""The API's one page shape: limit/offset pages, their schema and their query parameters.

Every app's list endpoint answers ``{"count", "next", "previous", "results"}`` through these.
``limit`` and ``offset`` are parsed strictly and bounded (``LIMIT_MAX``, ``OFFSET_MAX``): a
value that is not a plain number of ASCII digits, or is out of bounds, is a 400 with a field
error, never a silent default nor a database error.
"""

from __future__ import annotations

import functools

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, inline_serializer
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response

LIMIT_DEFAULT = 50
LIMIT_MAX = 200
OFFSET_MAX = 1_000_000


class QueryIntegerField(serializers.IntegerField):
    """A whole number from a query string: ASCII digits only, within its bounds.

    ``int()`` takes "٣", " 3", "+3" and "3_0", and a number of thousands of digits costs time
    before it fails; this field takes digits 0-9 only and refuses a value longer than its
    maximum before converting it.
    """

    default_error_messages = {"invalid": _("Enter a whole number using only the digits 0-9.")}

    def __init__(self, *, max_value: int, **kwargs) -> None:
        super().__init__(max_value=max_value, **kwargs)

    def get_value(self, dictionary):
        # DRF reads an empty "?offset=" of an optional field as absent (the default); a client
        # that sends the parameter means a number by it, so "" is refused like "x".
        return dictionary.get(self.field_name, empty)

    def to_internal_value(self, data):
        text = str(data) if isinstance(data, int) and not isinstance(data, bool) else data
        if not isinstance(text, str) or not (text.isascii() and text.isdigit()):
            self.fail("invalid")
        if len(text.lstrip("0")) > len(str(self.max_value)):
            self.fail("max_value", max_value=self.max_value)
        return int(text)


class QueryChoiceField(serializers.ChoiceField):
    """A choice from a query string: when the parameter is there, it is one of the choices.

    DRF reads an empty ``?status=`` of an optional field as if it were absent; a client that
    sends a parameter means something by it, so "" is refused like any other non-choice.
    """

    def get_value(self, dictionary):
        return dictionary.get(self.field_name, empty)


def integer_parameter_schema(*, minimum: int, maximum: int) -> dict:
    """The OpenAPI schema of a bounded whole number in a query string."""
    return {"type": "integer", "minimum": minimum, "maximum": maximum}


class PageSerializer(serializers.Serializer):
    """The page's query parameters."""

    limit = QueryIntegerField(min_value=1, max_value=LIMIT_MAX, default=LIMIT_DEFAULT)
    offset = QueryIntegerField(min_value=0, max_value=OFFSET_MAX, default=0)


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    """Limit/offset pages whose parameters are validated: a bad one is a 400, not ignored."""

    default_limit = LIMIT_DEFAULT
    max_limit = LIMIT_MAX

    def paginate_queryset(self, queryset, request, view=None):
        page = PageSerializer(data=request.query_params)
        page.is_valid(raise_exception=True)
        self.page_parameters = page.validated_data
        return super().paginate_queryset(queryset, request, view=view)

    def get_limit(self, request):
        return self.page_parameters["limit"]

    def get_offset(self, request):
        return self.page_parameters["offset"]


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
    OpenApiParameter(
        "limit",
        integer_parameter_schema(minimum=1, maximum=LIMIT_MAX),
        description=f"Items per page (default {LIMIT_DEFAULT}, at most {LIMIT_MAX}).",
    ),
    OpenApiParameter(
        "offset",
        integer_parameter_schema(minimum=0, maximum=OFFSET_MAX),
        description=f"Items to skip (at most {OFFSET_MAX}).",
    ),
]


def paginated_response(*, request, view, queryset, serializer_class) -> Response:
    paginator = BoundedLimitOffsetPagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer_class(page, many=True).data)
