"""The signing app's public HTTP endpoints: the RFC 3161 timestamp authority, the CRL, the root.

No login: the CRL and the root are infrastructure anyone may use to check evidence. The TSA
takes a DER ``TimeStampReq`` (``application/timestamp-query``, at most 64 KiB) and answers
a DER ``TimeStampResp`` (``application/timestamp-reply``), per RFC 3161 section 3.4, but only
for the platform's own signing: ``SIGNING_TSA_SERVE`` is ``loopback`` (the default: requests
from this machine that no proxy forwarded) or ``off`` (not served at all). Timestamps carry the
platform's authority, so it is never an open service.
"""

from __future__ import annotations

import ipaddress

from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from signing.ca.authority import ca_get
from signing.ca.revocation import crl_der
from signing.errors import InvalidTimestampRequest
from signing.tsa import tsa_respond

TIMESTAMP_QUERY = "application/timestamp-query"
TIMESTAMP_REPLY = "application/timestamp-reply"
MAX_QUERY_BYTES = 64 * 1024


@method_decorator(csrf_exempt, name="dispatch")  # machine-to-machine; no cookies involved
class TimestampView(View):
    """``POST /tsa/``: answer one RFC 3161 timestamp request."""

    http_method_names = ["post"]

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if settings.SIGNING_TSA_SERVE == "off":
            raise Http404
        if not _from_this_machine(request):
            return HttpResponse(
                "This timestamp authority serves the platform's own signing only.",
                status=403,
                content_type="text/plain",
            )
        return super().dispatch(request, *args, **kwargs)

    def post(self, request: HttpRequest) -> HttpResponse:
        """Check the content type and size, then let the embedded authority answer."""
        if request.content_type != TIMESTAMP_QUERY:
            return HttpResponse(
                f"Send an RFC 3161 request as {TIMESTAMP_QUERY}.",
                status=415,
                content_type="text/plain",
            )
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > MAX_QUERY_BYTES:
            return HttpResponse("Request too large.", status=413, content_type="text/plain")
        try:
            reply = tsa_respond(request.body)
        except InvalidTimestampRequest as error:
            return HttpResponse(error.message, status=400, content_type="text/plain")
        return HttpResponse(reply, content_type=TIMESTAMP_REPLY)


def _from_this_machine(request: HttpRequest) -> bool:
    """A loopback peer that no proxy forwarded (a proxy on this machine adds the header)."""
    if "HTTP_X_FORWARDED_FOR" in request.META or "HTTP_FORWARDED" in request.META:
        return False
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


def crl_view(request: HttpRequest) -> HttpResponse:
    """``GET /signing/ca.crl``: the platform CA's current CRL (DER)."""
    response = HttpResponse(crl_der(), content_type="application/pkix-crl")
    response["Cache-Control"] = "public, max-age=300"
    return response


def root_certificate_view(request: HttpRequest) -> HttpResponse:
    """``GET /signing/ca.crt``: the platform root certificate (PEM), the only trust anchor."""
    pem = ca_get().certificate.public_bytes(serialization.Encoding.PEM)
    response = HttpResponse(pem, content_type="application/x-pem-file")
    response["Content-Disposition"] = 'attachment; filename="chengnuo-root.crt"'
    return response
