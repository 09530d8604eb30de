"""The signing endpoints: the timestamp authority at ``/tsa/``, for this machine only."""

from __future__ import annotations

from asn1crypto import tsp
from django.test import Client


def test_the_tsa_refuses_other_content_types_and_garbage():
    # given
    client = Client()

    # when
    wrong_type = client.post("/tsa/", data=b"x", content_type="application/octet-stream")
    garbage = client.post("/tsa/", data=b"not asn.1", content_type="application/timestamp-query")

    # then
    assert wrong_type.status_code == 415
    assert garbage.status_code == 400


def _timestamp_request() -> tsp.TimeStampReq:
    """A request for a SHA-256 digest."""
    return tsp.TimeStampReq(
        {
            "version": "v1",
            "message_imprint": {
                "hash_algorithm": {"algorithm": "sha256"},
                "hashed_message": b"\x02" * 32,
            },
            "cert_req": True,
        }
    )


def test_the_tsa_reply_is_a_granted_rfc_3161_response():
    # given a request for a SHA-256 digest, from this machine
    request = _timestamp_request()

    # when
    response = Client().post(
        "/tsa/", data=request.dump(), content_type="application/timestamp-query"
    )

    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/timestamp-reply"
    reply = tsp.TimeStampResp.load(response.content)
    assert reply["status"]["status"].native == "granted"


def test_the_tsa_refuses_a_request_from_another_machine():
    request = _timestamp_request()
    response = Client(REMOTE_ADDR="203.0.113.5").post(
        "/tsa/", data=request.dump(), content_type="application/timestamp-query"
    )
    assert response.status_code == 403
    assert response.content == b"This timestamp authority serves the platform's own signing only."


def test_the_tsa_refuses_a_request_a_proxy_forwarded_from_elsewhere():
    response = Client(HTTP_X_FORWARDED_FOR="203.0.113.5").post(
        "/tsa/", data=_timestamp_request().dump(), content_type="application/timestamp-query"
    )
    assert response.status_code == 403


def test_the_tsa_can_be_switched_off(settings):
    settings.SIGNING_TSA_SERVE = "off"
    response = Client().post(
        "/tsa/", data=_timestamp_request().dump(), content_type="application/timestamp-query"
    )
    assert response.status_code == 404
