"""Check every case: other government systems ask for a subject's credit status before an
approval, a bid or a subsidy. Each calling system has its own API user and token; every
answered query is logged with who asked, about whom, why and what was answered.

Mounted under /api/v1/ by ``config.api_urls``: ``check/<code>/`` and ``ping/`` (a trivial JSON
view, the benchmark's reference on the same server).

The check is on the hot path of other systems, so it runs a fixed, small number of indexed
statements whatever the record holds: the token with its user and calling system; one
hand-written statement for the matter, the subject with its breach counts, its measures in
force and its list designations (``credit.check_read``); the grade rules (cached per process
for a minute, so usually no statement); the log row (one INSERT).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from credit import selectors as credit_selectors
from credit import services as credit_services
from credit.check_read import check_read
from credit.models import CallingSystem, Purpose

from .api.errors import error_responses
from .errors import CommitmentError, ErrorCode
from .identifiers import normalise


class CallingSystemTokenAuthentication(TokenAuthentication):
    """Token authentication that loads the user and its calling system in one hand-written
    statement (token → user → calling system), without compiling a queryset per request.

    The user and the calling system are built with ``from_db`` from the columns read; every
    other field is deferred, so touching it loads it rather than answering wrong.
    """

    _sql: str | None = None
    USER_FIELDS = ("id", "is_active")
    SYSTEM_FIELDS = ("id", "code", "name", "operator", "user_id", "is_active", "created_at")

    @classmethod
    def statement(cls) -> str:
        if cls._sql is None:
            user_model = get_user_model()
            token, user = Token._meta.db_table, user_model._meta.db_table
            system = CallingSystem._meta.db_table
            columns = ", ".join(
                [f"u.{f}" for f in cls.USER_FIELDS] + [f"c.{f}" for f in cls.SYSTEM_FIELDS]
            )
            cls._sql = (
                f"SELECT {columns} FROM {token} t"  # noqa: S608 (model table names only)
                f" JOIN {user} u ON u.id = t.user_id"
                f" LEFT JOIN {system} c ON c.user_id = u.id WHERE t.key = %s"
            )
        return cls._sql

    def authenticate_credentials(self, key):
        with connection.cursor() as cursor:
            cursor.execute(self.statement(), [key])
            row = cursor.fetchone()
        if row is None:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        n = len(self.USER_FIELDS)
        user = get_user_model().from_db(connection.alias, self.USER_FIELDS, row[:n])
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        system = None
        if row[n] is not None:
            system = CallingSystem.from_db(connection.alias, self.SYSTEM_FIELDS, row[n:])
            system._state.fields_cache["user"] = user
        # A cached ``None`` makes ``user.calling_system`` raise DoesNotExist without a query.
        user._state.fields_cache["calling_system"] = system
        return (user, Token(key=key, user=user))


class CallingSystemTokenScheme(OpenApiAuthenticationExtension):
    """Describes the calling systems' token in the schema (a scheme of its own)."""

    target_class = CallingSystemTokenAuthentication
    name = "callingSystemToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "The calling system's token: `Token <key>`.",
        }


class IsCallingSystem(BasePermission):
    message = gettext_lazy("Only a registered calling system may check subjects.")

    def has_permission(self, request, view) -> bool:
        return credit_selectors.calling_system_of(request.user) is not None


class CheckInputSerializer(serializers.Serializer):
    matter = serializers.CharField(
        required=False, allow_blank=True, max_length=50, help_text="Code of the matter decided."
    )
    purpose = serializers.ChoiceField(choices=Purpose.choices)
    reason = serializers.CharField(
        max_length=500, help_text="Why the subject is checked (file or case number)."
    )

    class Meta:
        ref_name = "CheckInput"


CHECK_RESPONSE = inline_serializer(
    name="CheckStatus",
    fields={
        "query": serializers.IntegerField(help_text="Number of the logged query."),
        "checked_at": serializers.DateTimeField(),
        "subject": inline_serializer(
            name="CheckedSubject",
            fields={
                "code": serializers.CharField(help_text="A resident ID is masked."),
                "name": serializers.CharField(),
                "kind": serializers.CharField(),
            },
        ),
        "grade": serializers.CharField(help_text="Risk grade A (lowest risk) to D."),
        "black_listed": serializers.BooleanField(),
        "red_listed": serializers.BooleanField(),
        "black_lists": serializers.ListField(child=serializers.DictField()),
        "red_lists": serializers.ListField(child=serializers.DictField()),
        "measures": serializers.ListField(
            child=serializers.DictField(),
            help_text="Measures in force that apply to this matter and purpose.",
        ),
        "commitment_allowed": serializers.BooleanField(
            help_text="Whether the subject may commit instead of proving."
        ),
        "commitment_excluded_by": serializers.CharField(allow_null=True),
    },
)


class CheckApi(APIView):
    """A subject's credit status for an approval, a bid or a subsidy."""

    authentication_classes = [CallingSystemTokenAuthentication]
    permission_classes = [IsAuthenticated, IsCallingSystem]
    renderer_classes = [JSONRenderer]

    @extend_schema(
        operation_id="credit_check",
        parameters=[
            OpenApiParameter("matter", OpenApiTypes.STR, description="Matter code."),
            OpenApiParameter("purpose", OpenApiTypes.STR, required=True, enum=list(Purpose.values)),
            OpenApiParameter("reason", OpenApiTypes.STR, required=True),
        ],
        responses={200: CHECK_RESPONSE, **error_responses(400, 401, 403, 404)},
    )
    def get(self, request, code: str):
        params = CheckInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        purpose = params.validated_data["purpose"]
        reason = params.validated_data["reason"].strip()
        matter_code = params.validated_data.get("matter", "").strip()
        system = credit_selectors.calling_system_of(request.user)
        asked_code = normalise(code)
        # One statement reads the matter, the subject with its breach counts, its measures in
        # force and its designations (credit.check_read); grade rules come from a per-process
        # cache; the log row is one INSERT. With the token query: three statements in all.
        read = check_read(
            subject=asked_code, purpose=purpose, matter_code=matter_code, on=timezone.localdate()
        )
        if not read.matter_found:
            raise CommitmentError(
                ErrorCode.INVALID,
                _("There is no matter %(code)s.") % {"code": matter_code},
                field="matter",
            )
        log = {
            "calling_system": system,
            "subject_code": asked_code,
            "matter_code": matter_code,
            "purpose": purpose,
            "reason": reason,
        }
        subject, status = read.subject, read.status
        if subject is None:
            credit_services.check_query_log(subject_id=None, answer={"found": False}, **log)
            raise CommitmentError(ErrorCode.NOT_FOUND, _("No subject has this identifier."))
        query = credit_services.check_query_log(
            subject_id=subject.pk, answer={"found": True, **status.summary()}, **log
        )
        return Response(
            {
                "query": query.pk,
                "checked_at": query.asked_at,
                "subject": {
                    "code": subject.display_code,
                    "name": subject.name,
                    "kind": subject.kind,
                },
                "grade": status.grade,
                "black_listed": bool(status.black_lists),
                "red_listed": bool(status.red_lists),
                "black_lists": status.black_lists,
                "red_lists": status.red_lists,
                "measures": status.measures,
                "commitment_allowed": status.commitment_allowed,
                "commitment_excluded_by": status.commitment_excluded_by,
            }
        )


class PingApi(APIView):
    """A trivial JSON answer: the reference the check is measured against."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]

    @extend_schema(
        operation_id="ping",
        responses={200: inline_serializer(name="Ping", fields={"ok": serializers.BooleanField()})},
    )
    def get(self, request):
        return Response({"ok": True, "at": timezone.now()})


app_name = "credit_api"

urlpatterns = [
    path("check/<str:code>/", CheckApi.as_view(), name="check"),
    path("ping/", PingApi.as_view(), name="ping"),
]
