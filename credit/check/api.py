"""Check every case: other government systems ask for a subject's credit status before an
approval, a bid or a subsidy. Each calling system has its own API user and token; every
answered query is logged with who asked, about whom, why and what was answered.

Mounted under /api/v1/ by ``config.api_urls`` (``credit.check.urls``): ``check/<code>/`` and
``ping/`` (a trivial JSON view, the benchmark's reference on the same server, the same WSGI
application and the same middleware).

The check is on the hot path of other systems, so both are plain Django views (no DRF
request, negotiation, authentication or permission machinery per request), and on
PostgreSQL the check is ONE prepared statement: the token with its user and calling system,
the matter, the subject with its breach counts, measures in force, list designations and
grade, the log row and the body (``credit.check.postgres.batch``; checks asked at the same
moment share that statement and its durable commit). The schema still describes both:
``CheckApi`` and ``PingApi`` are the DRF views drf-spectacular reads (``cls`` of the URL's
callback, set in ``credit.check.urls``); they answer through the same plain views if mounted.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from urllib.parse import parse_qsl

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from access.lockout import (
    TokenLockout,
    is_locked_out,
    locked_out_body,
    login_failed,
    retry_after_seconds,
    token_lockout,
)
from access.lockout import retry_at as lockout_retry_at
from access.selectors import token_hash
from access.services import token_touch
from credit.check.postgres.batch import check_and_log_body, statement_usable
from credit.check.read import Caller, CheckAnswer, caller_of
from credit.check.services import check_and_log
from credit.errors import CreditErrorCode
from credit.record.models.base import Purpose
from directory.errors import error_responses
from directory.identifiers import normalise

REASON_MAX_LENGTH = 500
MATTER_MAX_LENGTH = 50
PURPOSES = frozenset(Purpose.values)  # the enum builds its list on every access


def json_default(value):
    """Dates and times as the API writes them (UTC as ``Z``)."""
    if isinstance(value, datetime):
        text = value.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _json(data: dict, status: int = 200, **headers) -> HttpResponse:
    """Compact UTF-8 JSON, as DRF's renderer writes it."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=json_default)
    response = HttpResponse(body.encode(), status=status, content_type="application/json")
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _refusal(
    code: CreditErrorCode, message: str, status: int, fields: dict | None = None, **headers
):
    """The error envelope {code, message, fields}."""
    body = {"code": str(code), "message": message, "fields": fields or {}}
    if status in (401, 403):
        body["detail"] = message  # DRF's own key, kept for its clients
    return _json(body, status, **headers)


def _token(request) -> str | None:
    """The key of ``Authorization: Token <key>``; None if absent; "" if malformed."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    parts = header.split()
    if not parts or parts[0].lower() != "token":
        return None
    return parts[1] if len(parts) == 2 else ""


def query_values(request) -> dict[str, str]:
    """The query string's parameters, each with its last value, as ``request.GET.get`` reads
    them (the same decoding, the same limit on the number of fields), in one parse: the
    check reads three of them and needs no ``QueryDict`` (about 11 µs of building)."""
    if "GET" in request.__dict__:  # already parsed
        return request.GET
    raw = request.META.get("QUERY_STRING", "").encode("iso-8859-1")
    encoding = request.encoding or settings.DEFAULT_CHARSET
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError:
        text = raw.decode("iso-8859-1")
    try:
        return dict(
            parse_qsl(
                text,
                keep_blank_values=True,
                encoding=encoding,
                max_num_fields=settings.DATA_UPLOAD_MAX_NUMBER_FIELDS,
            )
        )
    except ValueError as error:  # as QueryDict: only the field limit raises it here
        raise TooManyFieldsSent(
            "The number of GET/POST parameters exceeded settings.DATA_UPLOAD_MAX_NUMBER_FIELDS."
        ) from error


def _input(query) -> tuple[dict, dict[str, list[str]]]:
    """Validate purpose, reason and matter (stripped), as the schema documents them."""
    errors: dict[str, list[str]] = {}
    purpose = query.get("purpose")
    if purpose is None:
        errors["purpose"] = [_("This field is required.")]
    elif purpose not in PURPOSES:
        errors["purpose"] = [_('"{input}" is not a valid choice.').format(input=purpose)]
    reason = query.get("reason")
    if reason is None:
        errors["reason"] = [_("This field is required.")]
    elif "\x00" in reason:
        errors["reason"] = [_("Null characters are not allowed.")]
    else:
        reason = reason.strip()
        if not reason:
            errors["reason"] = [_("This field may not be blank.")]
        elif len(reason) > REASON_MAX_LENGTH:
            errors["reason"] = [
                _("Ensure this field has no more than {max_length} characters.").format(
                    max_length=REASON_MAX_LENGTH
                )
            ]
    matter = (query.get("matter") or "").strip()
    if "\x00" in matter:
        errors["matter"] = [_("Null characters are not allowed.")]
    elif len(matter) > MATTER_MAX_LENGTH:
        errors["matter"] = [
            _("Ensure this field has no more than {max_length} characters.").format(
                max_length=MATTER_MAX_LENGTH
            )
        ]
    return {"purpose": purpose, "reason": reason, "matter": matter}, errors


def _locked_out(request) -> HttpResponse:
    """429 in the envelope: too many refused tokens from this address (``access.lockout``)."""
    until = lockout_retry_at(request)
    return _json(locked_out_body(until), 429, Retry_After=str(retry_after_seconds(until)))


def _caller_refusal(request, caller: Caller) -> HttpResponse:
    if caller is Caller.UNKNOWN_TOKEN:
        # An unknown, revoked or expired token counts against the address.
        if login_failed(request, method="api_token", sender=credit_check):
            request.axes_locked_out = False  # answered here, in this view's envelope
            return _locked_out(request)
        return _refusal(
            CreditErrorCode.AUTHENTICATION_FAILED,
            _("Invalid token."),
            401,
            WWW_Authenticate="Token",
        )
    if caller is Caller.INACTIVE_USER:
        return _refusal(
            CreditErrorCode.AUTHENTICATION_FAILED,
            _("User inactive or deleted."),
            401,
            WWW_Authenticate="Token",
        )
    return _refusal(
        CreditErrorCode.PERMISSION_DENIED,
        _("Only a registered calling system may check subjects."),
        403,
    )


@csrf_exempt
def credit_check(request, code: str) -> HttpResponse:
    """A subject's credit status for an approval, a bid or a subsidy (see ``CheckApi``)."""
    if request.method != "GET":
        return _refusal(
            CreditErrorCode.METHOD_NOT_ALLOWED,
            _('Method "{method}" not allowed.').format(method=request.method),
            405,
            Allow="GET",
        )
    key = _token(request)
    # A locked-out client learns nothing, not even whether its token is right, so the lockout
    # is read before the token is. On PostgreSQL the check's own statement reads it (no round
    # trip of its own); otherwise it is asked here.
    batched = bool(key) and statement_usable()
    lockout = token_lockout(request) if batched else None
    if key is not None and lockout is None and is_locked_out(request):
        return _locked_out(request)
    if not key:
        message = (
            _("Authentication credentials were not provided.")
            if key is None
            else _("Invalid token header. Token string should not contain spaces.")
        )
        return _refusal(
            CreditErrorCode.NOT_AUTHENTICATED
            if key is None
            else CreditErrorCode.AUTHENTICATION_FAILED,
            message,
            401,
            WWW_Authenticate="Token",
        )
    values, errors = _input(query_values(request))
    if errors:
        if lockout is not None and is_locked_out(request):
            return _locked_out(request)
        # Who asks is told before what is wrong with the question (one indexed statement).
        caller, _system = caller_of(token_key=key, at=timezone.now())
        if caller is not Caller.ALLOWED:
            return _caller_refusal(request, caller)
        return _refusal(CreditErrorCode.INVALID, _("Some fields need correcting."), 400, errors)
    asked_code = normalise(code).replace("\x00", "")  # PostgreSQL text holds no NUL
    if batched:
        return _answered(request, values, asked_code, key, lockout)
    answer: CheckAnswer = check_and_log(
        token_key=key,
        subject_code=asked_code,
        purpose=values["purpose"],
        matter_code=values["matter"],
        reason=values["reason"],
        at=timezone.now(),
    )
    if answer.caller is not Caller.ALLOWED:
        return _caller_refusal(request, answer.caller)
    token_touch(key_hash=token_hash(key), at=answer.asked_at)
    if not answer.matter_found:
        message = _("There is no matter %(code)s.") % {"code": values["matter"]}
        return _refusal(CreditErrorCode.INVALID, message, 400, {"matter": [message]})
    if answer.subject is None:
        return _refusal(CreditErrorCode.NOT_FOUND, _("No subject has this identifier."), 404)
    return _json(success_body(answer))


def success_body(answer: CheckAnswer) -> dict:
    """The success body (PostgreSQL writes the same, from "subject" on, in its statement)."""
    subject, status = answer.subject, answer.status
    return {
        "query": answer.query_pk,
        "checked_at": answer.asked_at,
        "subject": {"code": subject.display_code, "name": subject.name, "kind": subject.kind},
        "grade": status.grade,
        "black_listed": bool(status.black_lists),
        "red_listed": bool(status.red_lists),
        "black_lists": status.black_lists,
        "red_lists": status.red_lists,
        "measures": status.measures,
        "commitment_allowed": status.commitment_allowed,
        "commitment_excluded_by": status.commitment_excluded_by,
    }


def _answered(
    request, values: dict, asked_code: str, key: str, lockout: TokenLockout | None
) -> HttpResponse:
    """PostgreSQL: the statement reads the client's lockout, then writes the success body
    from ``"subject"`` on (``credit.check.postgres.batch.check_and_log_body``); the query's
    number and time are put in front of it here."""
    at = timezone.now()
    answer = check_and_log_body(
        token_key=key,
        subject_code=asked_code,
        purpose=values["purpose"],
        matter_code=values["matter"],
        reason=values["reason"],
        at=at,
        lockout=lockout,
    )
    if answer.locked_out:
        return _locked_out(request)
    if answer.caller is not Caller.ALLOWED:
        return _caller_refusal(request, answer.caller)
    token_touch(key_hash=token_hash(key), at=at)
    if not answer.matter_found:
        message = _("There is no matter %(code)s.") % {"code": values["matter"]}
        return _refusal(CreditErrorCode.INVALID, message, 400, {"matter": [message]})
    if answer.body is None:
        return _refusal(CreditErrorCode.NOT_FOUND, _("No subject has this identifier."), 404)
    head = b'{"query":%d,"checked_at":"%s",' % (answer.query_pk, json_default(at).encode())
    return HttpResponse(head + answer.body[1:], content_type="application/json")


@csrf_exempt
@require_safe
def ping(request) -> HttpResponse:
    """A trivial JSON answer: the reference the check is measured against."""
    return _json({"ok": True, "at": timezone.now()})


# Schema --------------------------------------------------------------------------------------


class CallingSystemTokenAuthentication(BaseAuthentication):
    """The calling system's token (``Authorization: Token <key>``), for the schema.

    The check authenticates in its own statement (``credit.check.services.check_and_log``), so
    this authenticator accepts nothing itself: it names the scheme and the 401 challenge.
    """

    def authenticate(self, request):
        return None

    def authenticate_header(self, request) -> str:
        return "Token"


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
    """A subject's credit status for an approval, a bid or a subsidy.

    The schema's description of ``credit_check``, which serves the URL; mounted, it answers
    through it (the check authenticates the calling system itself).
    """

    authentication_classes = [CallingSystemTokenAuthentication]
    permission_classes: list = []

    @extend_schema(
        operation_id="credit_check",
        parameters=[
            OpenApiParameter("matter", OpenApiTypes.STR, description="Code of the matter decided."),
            OpenApiParameter("purpose", OpenApiTypes.STR, required=True, enum=list(Purpose.values)),
            OpenApiParameter(
                "reason",
                OpenApiTypes.STR,
                required=True,
                description="Why the subject is checked (file or case number).",
            ),
        ],
        responses={200: CHECK_RESPONSE, **error_responses(400, 401, 403, 404, 429)},
    )
    def get(self, request, code: str):
        return credit_check(request._request, code)


class PingApi(APIView):
    """A trivial JSON answer; the schema's description of ``ping``."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="ping",
        responses={200: inline_serializer(name="Ping", fields={"ok": serializers.BooleanField()})},
    )
    def get(self, request):
        return ping(request._request)


def described_by(view, api: type[APIView]):
    """Let drf-spectacular find the plain view's operation on ``api``."""
    view.cls = api
    view.initkwargs = {}
    return view
