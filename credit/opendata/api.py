"""The open data feed, public and unauthenticated (version 1; docs/open-data.md):

- ``GET /api/v1/open-data/feed.json``: a JSON Feed 1.1 (``application/feed+json``), oldest
  first, paged by ``cursor`` (the leaf index of the last item read);
- ``GET /api/v1/open-data/events.csv``: the events the log recorded on one day as CSV (UTF-8
  with a byte order mark), the file an hourly job built and signed once, streamed from the
  document store (so every web host serves the same file), with its SHA-256 as ``ETag`` and
  ``Repr-Digest``; 503 in the error envelope when the store cannot give it;
- ``GET /api/v1/open-data/certificate.pem``: the certificates that verify the signatures.

Each body is signed (the feed as served, the CSV once when its day was built):
``Chengnuo-Signature`` holds the base64 ECDSA P-256 / SHA-256
signature over exactly the bytes of the body, ``Chengnuo-Signature-Key`` the SHA-256
fingerprint of the seal certificate that verifies it. Each item carries its event as hashed
into the transparency log, its salt, its leaf index and the checkpoint signed over it.
Bad input (cursor, limit, dates) is refused with the error envelope, naming the field.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import date

from django.http import FileResponse, HttpResponse, HttpResponseNotModified
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.views import APIView

from credit.errors import CreditError, CreditErrorCode
from credit.opendata import selectors
from credit.opendata.models import OpenDataDayFile, OpenDataEvent
from credit.opendata.services.days import CSV_COLUMNS, CSV_CONTENT_TYPE, open_data_leaf_hash
from credit.opendata.services.signatures import (
    KEY_HEADER,
    SIGNATURE_HEADER,
    SignedBody,
    open_data_certificates,
    open_data_sign,
)
from directory.errors import error_responses
from signing.errors import DocumentMissing, StorageUnavailable
from signing.register.receipts import log_origin
from signing.register.selectors import log_size

FEED_MEDIA_TYPE = "application/feed+json"
CSV_MEDIA_TYPE = "text/csv"
PEM_MEDIA_TYPE = "application/x-pem-file"
PAGE_DEFAULT = 100
# YYYY-MM-DD only (``date.fromisoformat`` also takes week dates and other digits).
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class BodyRenderer(BaseRenderer):
    """Lets a client ask for the media type; the views hand over finished, signed bytes.
    An error envelope asked for in this media type is written as JSON."""

    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return json.dumps(data, ensure_ascii=False).encode("utf-8")


class FeedRenderer(BodyRenderer):
    media_type = FEED_MEDIA_TYPE
    format = "feed"


class CsvRenderer(BodyRenderer):
    media_type = CSV_MEDIA_TYPE
    format = "csv"


class PemRenderer(BodyRenderer):
    media_type = PEM_MEDIA_TYPE
    format = "pem"


SIGNATURE_PARAMETERS = [
    OpenApiParameter(
        SIGNATURE_HEADER,
        OpenApiTypes.STR,
        location=OpenApiParameter.HEADER,
        response=[200],
        description="Base64 DER ECDSA P-256 / SHA-256 signature over exactly the body's bytes.",
    ),
    OpenApiParameter(
        KEY_HEADER,
        OpenApiTypes.STR,
        location=OpenApiParameter.HEADER,
        response=[200],
        description="SHA-256 (hex) of the DER seal certificate that verifies the signature "
        "(see `certificate.pem`).",
    ),
]
DATE_PARAMETERS = [
    OpenApiParameter(
        "since", OpenApiTypes.DATE, description="Events effective on or after (YYYY-MM-DD)."
    ),
    OpenApiParameter(
        "until", OpenApiTypes.DATE, description="Events effective on or before (YYYY-MM-DD)."
    ),
]


class SubjectSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="A company's name; a natural person's masked.")
    code = serializers.CharField(allow_null=True, help_text="A company's credit code; null.")
    salt = serializers.CharField(
        help_text="32 bytes (hex): SHA-256(salt || canonical JSON of {name, code}) is the "
        "event's subject commitment."
    )

    class Meta:
        ref_name = "OpenDataSubject"


class ItemExtensionSerializer(serializers.Serializer):
    event = serializers.DictField(help_text="The event exactly as hashed into the log.")
    salt = serializers.CharField(help_text="32 random bytes (hex) hashed before the event.")
    subject = SubjectSerializer(
        allow_null=True,
        help_text="Who the event is about, opening the event's subject commitment; null once "
        "the record is no longer public (withheld).",
    )
    withheld_by = serializers.IntegerField(
        allow_null=True, help_text="The leaf index of the event that withheld the subject."
    )
    leaf_index = serializers.IntegerField()
    leaf_hash = serializers.CharField(
        help_text="SHA-256(0x00 || SHA-256(salt || canonical JSON of the event)), hex."
    )
    checkpoint = serializers.DictField(
        help_text="The checkpoint signed right after the append: origin, tree_size, "
        "root_hash, timestamp, signature."
    )

    class Meta:
        ref_name = "OpenDataItemExtension"


class ItemSerializer(serializers.Serializer):
    id = serializers.CharField()
    title = serializers.CharField()
    content_text = serializers.CharField()
    date_published = serializers.DateTimeField()
    _chengnuo = ItemExtensionSerializer()

    class Meta:
        ref_name = "OpenDataItem"


class FeedExtensionSerializer(serializers.Serializer):
    generated_at = serializers.DateTimeField()
    cursor = serializers.IntegerField(allow_null=True)
    next_cursor = serializers.IntegerField(allow_null=True)
    has_more = serializers.BooleanField()
    certificate_url = serializers.CharField()
    checkpoints_url = serializers.CharField()
    proof_url = serializers.CharField()

    class Meta:
        ref_name = "OpenDataFeedExtension"


class FeedSerializer(serializers.Serializer):
    version = serializers.CharField(help_text="https://jsonfeed.org/version/1.1")
    title = serializers.CharField()
    home_page_url = serializers.CharField()
    feed_url = serializers.CharField()
    next_url = serializers.CharField(required=False)
    language = serializers.CharField()
    items = ItemSerializer(many=True)
    _chengnuo = FeedExtensionSerializer()

    class Meta:
        ref_name = "OpenDataFeed"


def _invalid(field: str, message: str) -> CreditError:
    return CreditError(CreditErrorCode.INVALID, message, field=field)


def _whole(request, name: str, *, low: int, high: int) -> int | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18 or not low <= int(raw) <= high:
        raise _invalid(
            name,
            _("%(name)s must be a whole number from %(low)s to %(high)s.")
            % {"name": name, "low": low, "high": high},
        )
    return int(raw)


def _day(request, name: str) -> date | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    try:
        if not ISO_DATE.fullmatch(raw):
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise _invalid(
            name, _("%(name)s must be a date written YYYY-MM-DD.") % {"name": name}
        ) from None


def _span(request) -> tuple[date | None, date | None]:
    since, until = _day(request, "since"), _day(request, "until")
    if since and until and since > until:
        raise _invalid("since", _("since must not be after until."))
    return since, until


def _signed(signed: SignedBody, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(signed.body, content_type=content_type)
    response[SIGNATURE_HEADER] = signed.signature
    response[KEY_HEADER] = signed.certificate_sha256
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _checkpoint(event: OpenDataEvent) -> dict:
    checkpoint = event.checkpoint
    return {
        "origin": log_origin(),
        "tree_size": checkpoint.tree_size,
        "root_hash": bytes(checkpoint.root_hash).hex(),
        "timestamp": checkpoint.timestamp.isoformat(),
        "signature": base64.b64encode(bytes(checkpoint.signature)).decode("ascii"),
    }


def _subject(event: OpenDataEvent) -> dict | None:
    """What opens the event's subject commitment, or None once withheld."""
    if event.is_withheld:
        return None
    return {
        "name": event.subject_name,
        "code": event.subject_code or None,
        "salt": event.subject_salt,
    }


def _sentence(event: OpenDataEvent) -> tuple[str, str]:
    """The item's title and text in the reader's language, from the event's codes."""
    if event.is_withheld and event.record_id:
        name = _("record %(record)s, name withheld") % {"record": event.record_id}
    elif event.is_withheld and event.list_entry_id:
        name = _("list entry %(entry)s, name withheld") % {"entry": event.list_entry_id}
    elif event.is_withheld:
        name = _("%(reference)s, name withheld") % {"reference": event.reference}
    else:
        name = event.subject_name
    title = _("%(kind)s: %(name)s") % {"kind": event.get_kind_display(), "name": name}
    text = _("%(kind)s for %(name)s%(code)s, effective %(date)s.") % {
        "kind": event.get_kind_display(),
        "name": name,
        "code": f" ({event.subject_code})" if event.subject_code else "",
        "date": event.effective_on.isoformat(),
    }
    return title, text


def _withheld_by(event: OpenDataEvent) -> int | None:
    return event.withheld_by.leaf_index if event.withheld_by_id else None


def _item(event: OpenDataEvent) -> dict:
    title, text = _sentence(event)
    return {
        "id": f"urn:chengnuo:open-data:{event.leaf_index}",
        "title": title,
        "content_text": text,
        "date_published": event.created_at.isoformat(),
        "_chengnuo": {
            "event": event.event,
            "salt": event.salt,
            "subject": _subject(event),
            "withheld_by": _withheld_by(event),
            "leaf_index": event.leaf_index,
            "leaf_hash": open_data_leaf_hash(event),
            "checkpoint": _checkpoint(event),
        },
    }


class OpenDataFeedApi(APIView):
    """The open data feed (JSON Feed 1.1), oldest first, signed as served."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer, FeedRenderer]

    @extend_schema(
        operation_id="open_data_feed",
        tags=["open data"],
        parameters=[
            OpenApiParameter(
                "cursor",
                OpenApiTypes.INT,
                description="The `next_cursor` of the previous page (a leaf index); none for "
                "the first page.",
            ),
            OpenApiParameter("limit", OpenApiTypes.INT, description="1 to 500; 100 unless."),
            *DATE_PARAMETERS,
            *SIGNATURE_PARAMETERS,
        ],
        responses={
            (200, FEED_MEDIA_TYPE): OpenApiResponse(FeedSerializer, description="A page."),
            **error_responses(400, 404),
        },
    )
    def get(self, request):
        cursor = _whole(request, "cursor", low=0, high=max(log_size() - 1, 0))
        limit = _whole(request, "limit", low=1, high=selectors.PAGE_MAX) or PAGE_DEFAULT
        since, until = _span(request)
        rows = list(selectors.open_data_events(after=cursor, since=since, until=until)[: limit + 1])
        items = [_item(event) for event in rows[:limit]]
        has_more = len(rows) > limit
        next_cursor = items[-1]["_chengnuo"]["leaf_index"] if items else cursor
        feed_url = request.build_absolute_uri(reverse("opendata_api:feed"))
        query = {"since": since, "until": until, "limit": limit if limit != PAGE_DEFAULT else None}
        extra = "".join(f"&{key}={value}" for key, value in query.items() if value)
        feed = {
            "version": "https://jsonfeed.org/version/1.1",
            "title": _("Chengnuo open data: credit record publications"),
            "home_page_url": request.build_absolute_uri(reverse("portal:home")),
            "feed_url": feed_url,
            "language": get_language() or "zh-hans",
            "items": items,
            "_chengnuo": {
                "generated_at": timezone.now().isoformat(),
                "cursor": cursor,
                "next_cursor": next_cursor,
                "has_more": has_more,
                "certificate_url": request.build_absolute_uri(reverse("opendata_api:certificate")),
                "checkpoints_url": request.build_absolute_uri(reverse("public:checkpoints")),
                "proof_url": request.build_absolute_uri(reverse("public:inclusion")),
            },
        }
        if has_more:
            feed["next_url"] = f"{feed_url}?cursor={next_cursor}{extra}"
        body = json.dumps(feed, ensure_ascii=False, indent=1).encode("utf-8")
        return _signed(open_data_sign(body), FEED_MEDIA_TYPE, "feed.json")


class OpenDataCsvApi(APIView):
    """The events the log recorded on a day, as CSV: the file built and signed once for that
    day, streamed from storage with its signature."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer, CsvRenderer]

    @extend_schema(
        operation_id="open_data_csv",
        tags=["open data"],
        parameters=[
            OpenApiParameter(
                "day",
                OpenApiTypes.DATE,
                description="The day (YYYY-MM-DD, China Standard Time) the log recorded the "
                "events; the latest day built unless given. A day is built once, soon after "
                "it ends.",
            ),
            *SIGNATURE_PARAMETERS,
        ],
        responses={
            (200, CSV_MEDIA_TYPE): OpenApiResponse(
                OpenApiTypes.STR,
                description="UTF-8 with a byte order mark, one row per event, the columns "
                + ", ".join(CSV_COLUMNS)
                + ".",
            ),
            **error_responses(400, 404, 503),
        },
    )
    def get(self, request):
        day = _day(request, "day") or selectors.open_data_latest_day()
        not_built = CreditError(
            CreditErrorCode.NOT_FOUND, _("No CSV file has been built for this day."), field="day"
        )
        if day is None:
            raise not_built
        current = selectors.open_data_day_current(day=day)
        if current is not None and _etag(current) in _etags(request, "If-None-Match"):
            return _day_headers(HttpResponseNotModified(), current)
        try:
            opened = selectors.open_data_day_open(day=day)
        except (DocumentMissing, StorageUnavailable):
            raise CreditError(
                CreditErrorCode.UNAVAILABLE,
                _("The CSV file of this day cannot be read from storage just now."),
                field="day",
            ) from None
        if opened is None:
            raise not_built
        response = FileResponse(opened.body, content_type=CSV_CONTENT_TYPE)
        response["Content-Length"] = opened.file.size
        response["Content-Disposition"] = f'inline; filename="events-{day.isoformat()}.csv"'
        return _day_headers(response, opened.file)


def _etag(file: OpenDataDayFile) -> str:
    return f'"{file.sha256}"'


def _etags(request, header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in request.headers.get(header, "").split(",")}


def _day_headers(response: HttpResponse, file: OpenDataDayFile) -> HttpResponse:
    """The headers that tie a day's CSV to its bytes: the seal's signature and key, the
    SHA-256 as the entity tag and as ``Repr-Digest`` (RFC 9530)."""
    response[SIGNATURE_HEADER] = file.signature
    response[KEY_HEADER] = file.certificate_sha256
    response["ETag"] = _etag(file)
    digest = base64.b64encode(bytes.fromhex(file.sha256)).decode("ascii")
    response["Repr-Digest"] = f"sha-256=:{digest}:"
    return response


class OpenDataCertificateApi(APIView):
    """The seal certificate that verifies the feed's signatures, then the platform root."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer, PemRenderer]

    @extend_schema(
        operation_id="open_data_certificate",
        tags=["open data"],
        responses={
            (200, PEM_MEDIA_TYPE): OpenApiResponse(
                OpenApiTypes.STR, description="PEM: the seal certificate, then the root."
            ),
            **error_responses(404),
        },
    )
    def get(self, request):
        return HttpResponse(open_data_certificates(), content_type=PEM_MEDIA_TYPE)
