"""The receiver-side helper: a valid delivery passes; a replayed, stale, altered or unsigned
one is rejected with its reason."""

from __future__ import annotations

import pytest

from notifications.webhooks import (
    ReplayGuard,
    WebhookRejected,
    webhook_headers,
    webhook_secret_new,
    webhook_url_problem,
    webhook_verify,
)

NOW = 1_780_000_000
BODY = b'{"type":"record.repaired"}'


def _signed(secret: str, *, at: int = NOW, delivery_id: str = "record-change:1"):
    return webhook_headers(secret=secret, delivery_id=delivery_id, body=BODY, now=at)


def test_a_valid_delivery_is_accepted_once_and_its_replay_rejected():
    secret, guard = webhook_secret_new(), ReplayGuard()
    headers = _signed(secret)
    assert webhook_verify(secret=secret, headers=headers, body=BODY, guard=guard, now=NOW) == (
        "record-change:1"
    )
    with pytest.raises(WebhookRejected) as replayed:
        webhook_verify(secret=secret, headers=headers, body=BODY, guard=guard, now=NOW + 5)
    assert replayed.value.code == "replayed"
    # A retry re-signed later is the same delivery: also a replay once accepted.
    again = _signed(secret, at=NOW + 60)
    with pytest.raises(WebhookRejected, match="already accepted"):
        webhook_verify(secret=secret, headers=again, body=BODY, guard=guard, now=NOW + 60)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"body": BODY + b" "}, "bad_signature"),
        ({"secret": "whsec_other"}, "bad_signature"),
        ({"now": NOW + 301}, "stale"),
        ({"now": NOW - 301}, "stale"),
        ({"drop": "Chengnuo-Webhook-Signature"}, "missing_header"),
        ({"timestamp": "soon"}, "bad_timestamp"),
    ],
)
def test_an_altered_stale_or_unsigned_delivery_is_rejected(change, code):
    secret = webhook_secret_new()
    headers = {k.lower(): v for k, v in _signed(secret).items()}  # header names in any case
    headers.pop(change.get("drop", "").lower(), None)
    if "timestamp" in change:
        headers["chengnuo-webhook-timestamp"] = change["timestamp"]
    with pytest.raises(WebhookRejected) as rejected:
        webhook_verify(
            secret=change.get("secret", secret),
            headers=headers,
            body=change.get("body", BODY),
            now=change.get("now", NOW),
        )
    assert rejected.value.code == code


def test_the_guard_forgets_only_what_the_tolerance_already_rejects():
    guard = ReplayGuard(tolerance=300)
    assert guard.accept("a", NOW)
    assert guard.accept("b", NOW + 601)  # "a" is now older than twice the tolerance
    assert guard.accept("a", NOW + 601)
    assert not guard.accept("b", NOW + 602)


@pytest.mark.parametrize(
    ("url", "allow_private", "problem"),
    [
        ("https://gov.example.cn/hooks", False, None),
        ("http://127.0.0.1:5000/", True, None),
        ("http://127.0.0.1:5000/", False, "private"),
        ("http://192.168.1.9/", False, "private"),
        ("gopher://example.org/", False, "scheme"),
        ("https://credit.city.gov.cn/x", False, "own"),
        ("http://credit.city.gov.cn:8000/x", False, None),
        ("https://" + "a" * 260 + ".cn/", False, "length"),
        ("http://example.org:99999/", False, "host"),
    ],
)
def test_url_policy(url, allow_private, problem):
    own = {"credit.city.gov.cn", "credit.city.gov.cn:443"}
    own.discard("credit.city.gov.cn")  # only the https port is the platform here
    assert webhook_url_problem(url, own_hosts=own, allow_private=allow_private) == problem
