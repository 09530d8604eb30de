"""The only code that talks to the outside: SMTP, the SMS gateway, the in-application inbox.

Each channel hands one ``OutboxMessage`` over and raises ``DeliveryError`` when it could
not; ``retryable`` says whether trying again later can help. Exactly-once towards the
outside world is impossible when a process can die between the peer's acceptance and our
commit; both remote channels therefore carry a stable identity derived from the outbox key
(the e-mail ``Message-ID``, the SMS gateway's ``Idempotency-Key``) so a repeat is recognised.
"""

from __future__ import annotations

import ipaddress
import json
import os
import smtplib
import socket
import urllib.error
import urllib.parse
import urllib.request

import urllib3
from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

from notifications.models import Channel, Notification, OutboxMessage
from notifications.webhooks import webhook_headers, webhook_url_problem


class DeliveryError(Exception):
    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


def _absolute(link: str) -> str:
    if link.startswith("/"):
        return settings.SITE_URL.rstrip("/") + link
    return link


def deliver_email(message: OutboxMessage, *, connection: BaseEmailBackend | None) -> None:
    body = message.body
    if message.link:
        body = f"{body}\n\n{_absolute(message.link)}"
    email = EmailMessage(
        subject=message.subject,
        body=body,
        to=[message.address],
        connection=connection,
        headers={"Message-ID": message.message_id, "X-Chengnuo-Key": message.key},
    )
    try:
        if connection is not None and getattr(connection, "connection", False) is None:
            # Open the run's SMTP session once; a backend opened by send() closes after it.
            connection.open()
        email.send()
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as error:
        raise DeliveryError(f"SMTP refused the message: {error}", retryable=False) from error
    except (smtplib.SMTPException, OSError) as error:  # down, refused, timed out, 4xx
        raise DeliveryError(f"SMTP: {error!r}", retryable=True) from error


def deliver_sms(message: OutboxMessage) -> None:
    """POST to the gateway; the same key on every attempt lets the gateway drop repeats."""
    url = getattr(settings, "SMS_GATEWAY_URL", "")
    if not url:
        raise DeliveryError("No SMS gateway is configured (SMS_GATEWAY_URL).", retryable=True)
    payload = json.dumps(
        {"to": message.address, "text": _sms_text(message), "reference": message.key}
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - the URL is the operator's setting
        url,
        data=payload,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "Authorization": f"Bearer {getattr(settings, 'SMS_GATEWAY_TOKEN', '')}",
            "Idempotency-Key": message.key,
        },
    )
    timeout = getattr(settings, "SMS_GATEWAY_TIMEOUT", 10)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            response.read()
    except urllib.error.HTTPError as error:
        retryable = error.code >= 500 or error.code in (408, 429)
        raise DeliveryError(f"SMS gateway answered {error.code}", retryable=retryable) from error
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise DeliveryError(f"SMS gateway unreachable: {error!r}", retryable=True) from error


def _sms_text(message: OutboxMessage) -> str:
    return (
        f"{message.subject} {_absolute(message.link)}".strip() if message.link else message.subject
    )


def deliver_inapp(message: OutboxMessage) -> None:
    """Write the inbox entry in the caller's transaction: exactly once by construction."""
    Notification.objects.get_or_create(
        key=f"outbox:{message.key}"[:200],
        defaults={
            "recipient_id": message.recipient_id,
            "subject": message.subject,
            "body": message.body,
            "link": message.link,
        },
    )


def webhook_own_hosts() -> set[str]:
    """The platform's own hosts: a webhook may not call the platform itself."""
    own = {
        host.lower().lstrip(".")
        for host in settings.ALLOWED_HOSTS
        if host not in {"*", "localhost", "127.0.0.1", "[::1]"}
    }
    site = urllib.parse.urlsplit(settings.SITE_URL)
    if site.hostname:
        port = site.port or (443 if site.scheme == "https" else 80)
        own.add(f"{site.hostname.lower()}:{port}")
    return own


def _resolves_private(host: str) -> bool:
    """True when ``host`` resolves to any address that is not on the public internet."""
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False  # the delivery itself will fail and say so
    return any(not ipaddress.ip_address(info[4][0].split("%")[0]).is_global for info in infos)


def _http_pool() -> urllib3.PoolManager:
    """This process's pool of keep-alive connections to receivers (made after a fork)."""
    pool = _pools.get(os.getpid())
    if pool is None:
        size = int(getattr(settings, "WEBHOOK_CONCURRENCY", 16))
        pool = urllib3.PoolManager(num_pools=256, maxsize=size, block=False, retries=False)
        _pools.clear()
        _pools[os.getpid()] = pool
    return pool


_pools: dict[int, urllib3.PoolManager] = {}


def webhook_refusal(message: OutboxMessage) -> DeliveryError | None:
    """Why ``message`` may not be posted (an inactive endpoint, a refused URL), or None."""
    endpoint = message.endpoint
    if endpoint is None or not endpoint.is_active:
        return DeliveryError("The webhook endpoint is gone or inactive.", retryable=False)
    allow_private = getattr(settings, "WEBHOOK_ALLOW_PRIVATE", False)
    problem = webhook_url_problem(
        message.address, own_hosts=webhook_own_hosts(), allow_private=allow_private
    )
    host = urllib.parse.urlsplit(message.address).hostname or ""
    if problem is None and not allow_private and _resolves_private(host):
        problem = "private"
    if problem:
        return DeliveryError(f"The webhook URL is refused ({problem}).", retryable=False)
    return None


def deliver_webhook(message: OutboxMessage) -> None:
    """POST the signed body to the endpoint; a fresh timestamp and signature per attempt, the
    same ``Chengnuo-Webhook-Id`` (the outbox key) on all of them, so a receiver drops repeats.

    2xx is delivered; 408, 429 and 5xx, a timeout or a refused connection are retried with
    back-off; any other answer (the receiver refused it, or redirected: redirects are not
    followed, a receiver must not send the platform elsewhere) gives up at once for an officer
    to look at. The timeout (``WEBHOOK_TIMEOUT``) bounds each wait for a peer. Connections
    are kept alive and reused per receiver (``_http_pool``); safe to call from several threads
    once the message's endpoint is loaded (no database access here).
    """
    refusal = webhook_refusal(message)
    if refusal is not None:
        raise refusal
    body = message.body.encode()
    headers = webhook_headers(secret=message.endpoint.secret, delivery_id=message.key, body=body)
    timeout = float(getattr(settings, "WEBHOOK_TIMEOUT", 5))
    try:
        response = _http_pool().request(
            "POST",
            message.address,
            body=body,
            headers=headers,
            timeout=urllib3.Timeout(connect=timeout, read=timeout),
            retries=False,
            redirect=False,
            preload_content=False,
        )
        try:
            response.read(4096)
        finally:
            if response.length_remaining:
                response.close()  # an unread long answer: drop the connection, not reuse it
            else:
                response.release_conn()
    except urllib3.exceptions.HTTPError as error:
        raise DeliveryError(f"The receiver is unreachable: {error!r}", retryable=True) from error
    except OSError as error:
        raise DeliveryError(f"The receiver is unreachable: {error!r}", retryable=True) from error
    status = response.status
    if 200 <= status < 300:
        return
    retryable = status >= 500 or status in (408, 429)
    raise DeliveryError(f"The receiver answered {status}", retryable=retryable)


def deliver(message: OutboxMessage, *, connection: BaseEmailBackend | None = None) -> None:
    if message.channel == Channel.EMAIL:
        deliver_email(message, connection=connection)
    elif message.channel == Channel.SMS:
        deliver_sms(message)
    elif message.channel == Channel.INAPP:
        deliver_inapp(message)
    elif message.channel == Channel.WEBHOOK:
        deliver_webhook(message)
    else:
        raise DeliveryError(f"Unknown channel {message.channel!r}", retryable=False)
