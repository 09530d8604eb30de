"""REST API of record changes for calling systems (version 1): subscribe to the changes of
the subjects checked or of all (optionally with a webhook URL: signed deliveries, see
docs/webhooks.md), and the pull feed with a cursor for systems that cannot receive calls.

Only a calling system's own API user may use it; every refusal is the envelope
``{code, message, fields}`` and changes nothing.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from credit.changes import selectors, services
from credit.changes.models import ChangeSubscription
from credit.check.models import CallingSystem
from credit.errors import CreditError, CreditErrorCode
from directory.errors import error_responses

FEED_LIMIT_DEFAULT = 100


def _system(request) -> CallingSystem:
    system = CallingSystem.objects.filter(user_id=request.user.pk, is_active=True).first()
    if system is None:
        raise exceptions.PermissionDenied(_("Only a calling system's own API user may do this."))
    return system


class SubscriptionSerializer(serializers.Serializer):
    scope = serializers.ChoiceField(choices=ChangeSubscription.Scope.choices)
    url = serializers.CharField(
        allow_null=True, help_text="Where signed webhooks go; null for the pull feed only."
    )
    secret = serializers.CharField(
        required=False,
        help_text="The signing secret: only in the answer that made it (shown once).",
    )

    class Meta:
        ref_name = "ChangeSubscription"


class SubscriptionInputSerializer(serializers.Serializer):
    scope = serializers.CharField(help_text="`checked` or `all`.")
    url = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    rotate_secret = serializers.BooleanField(required=False, default=False)

    class Meta:
        ref_name = "ChangeSubscriptionInput"


def _shape(subscription: ChangeSubscription, secret: str | None = None) -> dict:
    endpoint = subscription.endpoint
    data = {"scope": subscription.scope, "url": endpoint.url if endpoint else None}
    if secret:
        data["secret"] = secret
    return data


class ChangeSubscriptionApi(APIView):
    """The calling system's subscription to record changes."""

    @extend_schema(
        operation_id="credit_changes_subscription_read",
        tags=["credit changes"],
        responses={200: SubscriptionSerializer, **error_responses(403, 404)},
    )
    def get(self, request):
        system = _system(request)
        subscription = (
            ChangeSubscription.objects.filter(calling_system=system)
            .select_related("endpoint")
            .first()
        )
        if subscription is None:
            raise CreditError(CreditErrorCode.NOT_FOUND, _("This system has no subscription."))
        return Response(_shape(subscription))

    @extend_schema(
        operation_id="credit_changes_subscription_set",
        tags=["credit changes"],
        request=SubscriptionInputSerializer,
        responses={200: SubscriptionSerializer, **error_responses(400, 403)},
    )
    def put(self, request):
        system = _system(request)
        form = SubscriptionInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        subscription, secret = services.change_subscription_set(
            system=system,
            scope=form.validated_data["scope"],
            url=form.validated_data.get("url"),
            rotate_secret=form.validated_data["rotate_secret"],
        )
        return Response(_shape(subscription, secret))

    @extend_schema(
        operation_id="credit_changes_subscription_delete",
        tags=["credit changes"],
        responses={204: None, **error_responses(403, 404)},
    )
    def delete(self, request):
        system = _system(request)
        if not services.change_subscription_delete(system=system):
            raise CreditError(CreditErrorCode.NOT_FOUND, _("This system has no subscription."))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ChangeItemSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="The same id as the webhook's `Chengnuo-Webhook-Id`.")
    cursor = serializers.IntegerField()
    type = serializers.CharField()
    change = serializers.CharField()
    record = serializers.IntegerField()
    subject = serializers.CharField()
    category = serializers.CharField()
    record_date = serializers.DateField()
    occurred_at = serializers.DateTimeField()

    class Meta:
        ref_name = "RecordChange"


class ChangeFeedSerializer(serializers.Serializer):
    items = ChangeItemSerializer(many=True)
    next_cursor = serializers.IntegerField(help_text="Ask with this cursor next time.")
    has_more = serializers.BooleanField()

    class Meta:
        ref_name = "RecordChangeFeed"


def _whole(request, name: str, default: int, *, low: int, high: int | None = None) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    if (
        not (raw.isascii() and raw.isdigit())
        or len(raw) > 18
        or int(raw) < low
        or (high is not None and int(raw) > high)
    ):
        limits = f"{low}–{high}" if high is not None else f"≥ {low}"
        raise CreditError(
            CreditErrorCode.INVALID,
            _("%(name)s must be a whole number (%(limits)s).") % {"name": name, "limits": limits},
            field=name,
        )
    return int(raw)


class ChangeFeedApi(APIView):
    """Record changes for this system after ``cursor``, oldest first (the pull feed).

    Asking with a cursor acknowledges every change up to it: those changes count as delivered.
    A cursor beyond the newest change is refused (nothing is skipped or lost): start from 0,
    or from the last ``next_cursor`` this feed gave."""

    @extend_schema(
        operation_id="credit_changes_feed",
        tags=["credit changes"],
        parameters=[
            OpenApiParameter("cursor", OpenApiTypes.INT, description="The last `next_cursor`."),
            OpenApiParameter("limit", OpenApiTypes.INT, description="At most 500; 100 unless."),
        ],
        responses={200: ChangeFeedSerializer, **error_responses(400, 403)},
    )
    def get(self, request):
        system = _system(request)
        cursor = _whole(request, "cursor", 0, low=0)
        limit = _whole(request, "limit", FEED_LIMIT_DEFAULT, low=1, high=selectors.FEED_LIMIT_MAX)
        last = selectors.change_feed_last(system=system)
        if cursor > last:
            raise CreditError(
                CreditErrorCode.INVALID,
                _(
                    "This cursor is beyond the newest change (%(last)s): "
                    "use a cursor this feed gave."
                )
                % {"last": last},
                field="cursor",
            )
        if cursor:
            services.change_feed_acknowledge(system=system, cursor=cursor)
        notices = selectors.change_feed(system=system, after=cursor, limit=limit + 1)
        items = [services.change_payload(notice) for notice in notices[:limit]]
        return Response(
            {
                "items": items,
                "next_cursor": items[-1]["cursor"] if items else cursor,
                "has_more": len(notices) > limit,
            }
        )
